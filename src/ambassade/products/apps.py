from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "ambassade.products"
    verbose_name = _("Products")

    def ready(self) -> None:
        from ambassade.listening import routing
        from ambassade.products import audit, messages, permissions, services, tasks  # noqa: F401
        from ambassade.workspaces.nav import NavItem, register

        register(
            NavItem(
                "products",
                _("Products"),
                "products:products",
                permissions.PRODUCTS_VIEW,
                order=52,
                icon="list",
                active_prefixes=("products:",),
            )
        )
        from ambassade.community import panels
        from ambassade.products import member

        # On members' pages: the products they talk about, and on their timeline's mentions.
        panels.register(
            panels.Panel(
                "products",
                "products/includes/member_products.html",
                order=20,
                context=member.member_products,
            )
        )
        panels.register_mention_tags("products", member.product_tags)
        # New mentions are linked to the products they speak of.
        routing.register("products", services.link_mentions)
