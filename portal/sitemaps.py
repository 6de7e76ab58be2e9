"""sitemap.xml: every page once per language, each entry with its hreflang alternates (and x-default,
the English page)."""
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from agencies.models import Agency, Region


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class AgencySitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Agency.objects.published().filter(is_synthetic=False).only("slug", "updated_at").order_by("slug")

    def lastmod(self, agency: Agency):
        return agency.updated_at


class RegionSitemap(BilingualSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Region.objects.filter(is_synthetic=False).only("code").order_by("code")

    def location(self, region: Region) -> str:
        return reverse("site:region", kwargs={"code": region.code})


class PageSitemap(BilingualSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> list[str]:
        return ["site:home", "site:compare", "site:regions"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "agencies": AgencySitemap, "regions": RegionSitemap}
