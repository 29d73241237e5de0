"""The demo's city duty list (街道职责清单): 6 sections, 111 items, the street's role in each
(负责 lead 28, 组织 organise 39, 参与 assist 44: shares 25/35/40 %), each item with the whistle
and 12345 categories it answers. Loading it twice writes nothing."""

from datetime import date, datetime

from core.periods import BEIJING

from .choices import DutyRole
from .models import DutyList

VERSION = "2025"
TITLE = "北京市街道职责清单（2025年版）"
EFFECTIVE_FROM = date(2025, 1, 1)
PUBLISHED_AT = datetime(2024, 12, 20, 9, 0, tzinfo=BEIJING)

L, O, A = DutyRole.LEAD, DutyRole.ORGANISE, DutyRole.ASSIST  # noqa: E741 - the list's letters

# section title → items (role, title, categories: whistle codes and 12345 codes)
SECTIONS = [
    (
        "党的建设",
        [
            (L, "落实街道党工委全面从严治党主体责任", ""),
            (L, "加强街道党工委自身建设，落实民主集中制", ""),
            (L, "抓好社区党组织建设，推进党支部标准化规范化", ""),
            (L, "做好党员发展、教育、管理和服务工作", ""),
            (L, "推进区域化党建，召开街道“大工委”会议", ""),
            (O, "组织在职党员到社区“双报到”并开展服务", ""),
            (O, "推动非公企业和社会组织党的组织和工作覆盖", ""),
            (L, "做好辖区干部队伍建设和日常管理", ""),
            (L, "落实意识形态工作责任制，做好宣传思想工作", ""),
            (O, "组织开展社会主义核心价值观宣传教育", ""),
            (L, "加强党风廉政建设，开展监督执纪问责", ""),
            (A, "协助区纪委监委开展监督检查和案件查办", ""),
            (O, "统筹做好统一战线、民族宗教和侨务工作", ""),
            (O, "指导工会、共青团、妇联等群团组织开展工作", ""),
            (A, "配合做好人大代表、政协委员联络服务工作", ""),
        ],
    ),
    (
        "经济发展",
        [
            (O, "优化辖区营商环境，做好企业服务“服务包”工作", ""),
            (L, "做好辖区统计调查和经济普查入户登记", ""),
            (O, "统筹楼宇经济发展，掌握辖区楼宇企业情况", ""),
            (A, "配合开展招商引资和重点项目落地服务", ""),
            (A, "协助做好疏解非首都功能相关工作", "illegal_construction wall_breaking"),
            (O, "组织开展“疏整促”专项行动", "illegal_construction wall_breaking street-vending"),
            (A, "配合做好老旧小区综合整治和城市更新", "municipal"),
            (A, "协助做好辖区农业农村和集体经济管理", ""),
            (A, "配合做好安全生产领域企业检查", "fire"),
            (A, "协助市场监管部门规范辖区经营秩序", "street-vending wall_breaking"),
            (O, "组织做好辖区就业创业服务和岗位对接", ""),
            (A, "配合做好辖区重点企业稳岗扶持政策落实", ""),
        ],
    ),
    (
        "民生保障",
        [
            (L, "做好社会救助对象的受理、审核和动态管理", ""),
            (L, "做好困难群众临时救助和帮扶", ""),
            (O, "统筹推进居家养老服务，建设养老服务驿站", ""),
            (O, "组织开展高龄、失能老年人巡视探访", ""),
            (A, "配合做好残疾人康复、就业和权益保障", ""),
            (L, "受理并办理居民就业登记和失业登记", ""),
            (A, "协助做好城乡居民基本养老和医疗保险", ""),
            (O, "组织开展社区卫生健康和爱国卫生运动", "sanitation"),
            (A, "配合做好传染病防控和公共卫生应急处置", ""),
            (A, "协助做好计划生育和家庭发展服务", ""),
            (O, "统筹做好退役军人服务保障工作", ""),
            (A, "配合做好保障性住房申请审核", ""),
            (L, "开展社区文化活动和全民健身", ""),
            (A, "配合做好中小学、幼儿园周边环境整治", "traffic-order street-vending"),
            (O, "组织做好供暖季居民供暖问题协调", "heating"),
            (A, "协助供水、供电、供气单位处置突发故障", "water underground_pipeline"),
            (O, "统筹推进“接诉即办”工作，办理12345市民诉求", "other"),
            (L, "做好12345诉求的联系、办理和回访反馈", "other"),
            (O, "组织开展“每月一题”民生难题治理", "other"),
            (A, "配合做好法律援助和公共法律服务", ""),
            (O, "组织做好流动人口和出租房屋服务管理", "group_rental group-rental"),
            (A, "配合做好未成年人保护和关爱服务", ""),
            (L, "做好兵役登记和双拥优抚", ""),
            (O, "统筹做好社区便民商业网点布局", ""),
        ],
    ),
    (
        "城市管理",
        [
            (O, "组织落实街巷长制，开展街巷环境整治", "urban_rural_order sanitation"),
            (L, "做好辖区背街小巷环境日常巡查", "urban_rural_order sanitation"),
            (O, "组织开展垃圾分类宣传和桶前值守", "sanitation"),
            (A, "配合环卫部门做好道路清扫保洁", "sanitation"),
            (O, "组织查处和拆除违法建设", "illegal_construction illegal-construction"),
            (L, "做好违法建设的日常巡查、发现和报告", "illegal_construction illegal-construction"),
            (A, "配合城管执法部门整治无照经营和占道经营", "street-vending urban_rural_order"),
            (O, "组织治理“开墙打洞”和违规经营", "wall_breaking"),
            (A, "配合规划自然资源部门查处违法用地", "illegal_excavation"),
            (A, "配合查处非法采矿、盗采砂石", "illegal_mining sand_theft"),
            (A, "配合查处私挖乱建地下空间", "illegal_excavation"),
            (O, "组织整治群租房和地下空间违规住人", "group_rental group-rental"),
            (A, "配合住建部门规范物业服务和管理", "property"),
            (O, "组织推动老旧小区物业管理全覆盖", "property"),
            (A, "配合交通部门治理停车秩序", "parking traffic-order"),
            (O, "组织推进居住区停车自治管理", "parking"),
            (A, "配合园林绿化部门做好绿化养护", ""),
            (A, "配合市政部门维护道路、井盖等市政设施", "municipal underground_pipeline"),
            (A, "协助做好地下管线保护和施工监管", "underground_pipeline"),
            (A, "配合生态环境部门治理大气和噪声污染", "noise"),
            (O, "组织处置施工扰民和生活噪声投诉", "noise"),
            (A, "配合水务部门做好河道管理和河长制工作", "flood_control"),
            (A, "配合做好户外广告和牌匾标识规范", "urban_rural_order"),
            (O, "组织开展“门前三包”责任制检查", "urban_rural_order sanitation"),
            (A, "配合做好共享单车停放秩序治理", "parking traffic-order"),
            (O, "组织推进城乡结合部环境秩序整治", "urban_rural_order"),
        ],
    ),
    (
        "平安建设",
        [
            (L, "做好辖区矛盾纠纷排查和人民调解", ""),
            (O, "组织开展综治中心（网格化）运行管理", "other"),
            (A, "配合公安机关维护辖区社会治安秩序", "urban_rural_order"),
            (O, "组织开展平安社区、平安楼宇创建", ""),
            (L, "做好信访接待和信访事项办理", ""),
            (O, "组织落实安全生产属地管理责任", "fire"),
            (A, "配合应急管理部门开展安全生产执法检查", "fire"),
            (O, "组织开展消防安全隐患排查整治", "fire"),
            (L, "做好社区微型消防站建设和管理", "fire"),
            (O, "组织做好防汛抢险和汛期转移安置", "flood_control"),
            (L, "做好防汛物资储备和值守巡查", "flood_control"),
            (A, "配合做好地震、地质灾害等突发事件处置", ""),
            (O, "组织编制和演练街道突发事件应急预案", "fire flood_control"),
            (L, "做好禁毒、反邪教宣传教育", ""),
            (A, "配合做好社区矫正和安置帮教", ""),
            (A, "配合做好食品药品安全监督检查", ""),
            (A, "协助做好燃气安全检查和隐患治理", "underground_pipeline fire"),
            (A, "配合做好道路交通安全宣传和整治", "traffic-order"),
        ],
    ),
    (
        "社区建设",
        [
            (L, "指导社区居（村）委会换届选举", ""),
            (L, "做好社区工作者招聘、培训和考核", ""),
            (O, "组织推进社区议事协商和居民自治", ""),
            (O, "组织开展“小巷管家”等志愿服务", "urban_rural_order"),
            (L, "做好社区减负和社区事务准入管理", ""),
            (O, "组织建设社区服务站和党群服务中心", ""),
            (A, "配合做好社区养老、托育设施配建", ""),
            (O, "组织培育社区社会组织", ""),
            (L, "做好社区公益金和惠民资金使用管理", ""),
            (O, "组织开展“回天有我”式社会动员", ""),
            (L, "做好人口普查和社区基础信息采集", ""),
            (A, "配合做好物业管理委员会组建", "property"),
            (A, "配合做好楼门院治理和业主自治", "property"),
            (L, "做好社区网格员的日常管理", ""),
            (A, "配合做好文明城区创建和测评", "sanitation"),
            (A, "协助做好村庄规划和农村人居环境整治", "sanitation"),
        ],
    ),
]


def items() -> list[dict]:
    rows, number = [], 0
    for section, (_title, entries) in enumerate(SECTIONS, start=1):
        for role, title, categories in entries:
            number += 1
            rows.append(
                {
                    "section": section,
                    "number": number,
                    "title": title,
                    "role": str(role),
                    "categories": categories.split(),
                }
            )
    return rows


def seed() -> dict:
    """The city's list, once: a published version is never rewritten (a change is a new
    version), so the second run finds it and writes nothing."""
    from .duties import publish

    if not DutyList.objects.filter(district=None, version=VERSION).exists():
        publish(
            None,
            district=None,
            version=VERSION,
            title=TITLE,
            effective_from=EFFECTIVE_FROM,
            sections=[(n, t) for n, (t, _e) in enumerate(SECTIONS, start=1)],
            items=items(),
            at=PUBLISHED_AT,
        )
    return {"duty items": len(items())}
