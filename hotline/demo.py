"""The 12345 demo data: request categories with their deadlines, and the Open311 API key of
api-contract.md (`demo-open311-key`). Loading it twice writes nothing."""

from accounts.services import upsert

from .models import Open311Key, RequestCategory

# code, name, group, response hours, resolution hours
CATEGORIES = [
    ("noise", "噪声扰民", "城市管理", 24, 168),
    ("illegal-construction", "违法建设", "城市管理", 24, 360),
    ("sanitation", "环境卫生", "城市管理", 24, 72),
    ("street-vending", "占道经营", "城市管理", 24, 72),
    ("parking", "停车管理", "交通", 24, 168),
    ("traffic-order", "交通秩序", "交通", 24, 168),
    ("heating", "供暖", "公共服务", 2, 24),
    ("water", "供水排水", "公共服务", 2, 24),
    ("municipal", "市政设施", "公共服务", 24, 168),
    ("property", "物业管理", "社区治理", 24, 168),
    ("group-rental", "群租房", "社区治理", 24, 360),
    ("other", "其他", "其他", 24, 168),
]
DEMO_KEY = "demo-open311-key"


def seed() -> dict:
    for code, name, group, response, resolution in CATEGORIES:
        upsert(
            RequestCategory,
            {"code": code},
            {
                "name": name,
                "group": group,
                "response_hours": response,
                "resolution_hours": resolution,
            },
        )
    upsert(Open311Key, {"key": DEMO_KEY}, {"name": "演示用外部系统", "active": True})
    return {"request categories": RequestCategory.objects.count()}
