from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    name = "powers"
    verbose_name = _("The street committee's powers")

    def ready(self):
        from accounts.choices import Power
        from accounts.grants import govern
        from dispatch import deadlines

        from . import services
        from .models import MajorMatter, PersonnelRecommendation, SupervisionOrder

        def matter_pairs(street_ids):
            rows = MajorMatter.streets.through.objects.all()
            if street_ids is not None:
                rows = rows.filter(street_id__in=street_ids)
            return rows.values_list("majormatter_id", "street_id")

        govern(
            Power.ADVISE_MAJOR_MATTER,
            MajorMatter,
            matter_pairs,
            lambda matter: list(matter.streets.values_list("pk", flat=True)),
        )
        deadlines.register(SupervisionOrder, on_overdue=services.on_order_overdue)
        deadlines.register(PersonnelRecommendation, on_overdue=services.on_recommendation_overdue)

        from accounts.demo import SEED_EXTENSIONS

        from . import demo

        if demo.seed not in SEED_EXTENSIONS:  # the demo's campaign (双安双打)
            SEED_EXTENSIONS.append(demo.seed)
