"""Rebuild fixtures/*.json from the five published pages in ../shared/seeds/.

Duty texts are cut out of the pages programmatically, so they stay verbatim; everything else below is
transcribed from the same pages (or named by the foundation issue: Chinese names, region codes).
Run: .venv/bin/python scripts/build_seed_fixtures.py"""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/seeds beside the checkout (or beside a folder of checkouts, as for parallel clones).
SEEDS = next((d / "shared" / "seeds" for d in ROOT.parents if (d / "shared" / "seeds").is_dir()),
             ROOT.parent / "shared" / "seeds")
OUT = ROOT / "fixtures"

ZJ = "zhejiang-department-of-science-and-technology"
WZ = "wenzhou-science-and-technology-bureau"
GS = "gansu-department-of-science-and-technology"
HH = "huaihua-science-and-technology-bureau"
GY = "guiyang-bureau-of-science-and-technology"

REGIONS = [
    ("330000", "Zhejiang", "浙江省", "province", None),
    ("330100", "Hangzhou", "杭州市", "prefecture", "330000"),
    ("330300", "Wenzhou", "温州市", "prefecture", "330000"),
    ("620000", "Gansu", "甘肃省", "province", None),
    ("620100", "Lanzhou", "兰州市", "prefecture", "620000"),
    ("430000", "Hunan", "湖南省", "province", None),
    ("431200", "Huaihua", "怀化市", "prefecture", "430000"),
    ("520000", "Guizhou", "贵州省", "province", None),
    ("520100", "Guiyang", "贵阳市", "prefecture", "520000"),
]

CATEGORIES = [
    ("strategy-planning", "Strategy and planning", "战略规划与政策",
     "Innovation-driven development strategy, overall plans and policies."),
    ("reform-incentives", "Reform and incentives", "体制改革与创新激励",
     "Reform of the science and technology system, research institutions, incentive mechanisms, "
     "decision-making consultation."),
    ("funding-platform", "Funding and management platform", "科技计划与经费管理",
     "Allocation of resources, investment systems, science and technology plans, funds and the unified "
     "management platform."),
    ("basic-research", "Basic research and laboratories", "基础研究与实验室",
     "Basic and applied basic research, key laboratories, innovation bases and infrastructure."),
    ("science-data", "Scientific data", "科学数据", "Collecting, managing and sharing scientific data."),
    ("high-tech-industrialization", "High-tech and industrialization", "高新技术与产业化",
     "High-tech development and industrialization, key technologies, major projects, agriculture, rural "
     "and social development."),
    ("enterprise-innovation", "Enterprise innovation", "企业创新",
     "High-tech and small and medium-sized sci-tech enterprises, enterprise R&D institutions."),
    ("technology-transfer", "Technology transfer", "科技成果转移转化",
     "Transfer and transformation of achievements, industry-university-research cooperation, technology "
     "markets and intermediaries."),
    ("regional-innovation", "Regional innovation and parks", "区域创新与科技园区",
     "Regional innovation, distribution of resources, innovation platforms, demonstration zones and parks."),
    ("evaluation-integrity", "Evaluation and integrity", "科技评价与科研诚信",
     "Supervision and evaluation systems, research integrity, innovation surveys and reporting, "
     "confidentiality."),
    ("international-cooperation", "International cooperation", "国际科技合作",
     "Foreign exchanges and open cooperation, talent exchanges."),
    ("foreign-talent", "Foreign talent", "外国人才引进",
     "Introducing foreign intelligence and experts, overseas training."),
    ("talent-popularization", "Talent and science popularization", "科技人才与科学普及",
     "Sci-tech talent teams, evaluation of personnel, science popularization and communication."),
    ("awards", "Awards", "科技奖励", "Evaluation, review and recommendation of science and technology awards."),
    ("other-responsibilities", "Other standing responsibilities", "其他职责",
     "Standing duties outside the shared vocabulary (e.g. safe production, poverty alleviation)."),
    ("other-tasks", "Other assigned tasks", "其他交办事项",
     "Other tasks assigned by the Party committee and the government."),
    ("responsibility-adjustments", "Adjustment of responsibilities", "职责调整",
     "Responsibilities transferred to or from other departments."),
    ("function-transformation", "Function transformation", "职能转变",
     "How the agency's functions are to be transformed."),
]

# Categories of the top-level items in published order, space-separated where an item plainly speaks of
# more than one thing (e.g. "foster ... enterprise technological innovation capabilities" inside a reform
# item). A category is a judgement about the verbatim text: only what the text says in so many words.
# Sub-items take their item's categories unless SUB names their own. Items on how functions are to be
# *transformed* stay in that category alone: they describe change, not a standing duty.
TOP = {
    ZJ: ["strategy-planning foreign-talent", "reform-incentives", "funding-platform evaluation-integrity",
         "basic-research", "high-tech-industrialization", "enterprise-innovation",
         "technology-transfer evaluation-integrity", "regional-innovation", "evaluation-integrity",
         "international-cooperation", "foreign-talent", "talent-popularization", "awards", "other-tasks"],
    WZ: ["strategy-planning foreign-talent", "reform-incentives", "funding-platform evaluation-integrity",
         "basic-research", "high-tech-industrialization", "enterprise-innovation", "technology-transfer",
         "regional-innovation", "evaluation-integrity", "international-cooperation", "foreign-talent",
         "talent-popularization", "awards", "other-tasks", "function-transformation"],
    GS: ["strategy-planning foreign-talent", "reform-incentives enterprise-innovation", "funding-platform",
         "basic-research", "high-tech-industrialization", "high-tech-industrialization", "technology-transfer",
         "regional-innovation", "evaluation-integrity", "international-cooperation", "foreign-talent",
         "talent-popularization", "awards"],
    HH: ["strategy-planning foreign-talent", "reform-incentives enterprise-innovation talent-popularization",
         "funding-platform", "basic-research", "high-tech-industrialization", "high-tech-industrialization",
         "technology-transfer", "regional-innovation", "evaluation-integrity", "international-cooperation",
         "foreign-talent", "talent-popularization", "awards", "funding-platform", "other-tasks",
         "function-transformation"],
    GY: ["strategy-planning foreign-talent", "reform-incentives enterprise-innovation", "funding-platform",
         "basic-research", "science-data", "high-tech-industrialization", "high-tech-industrialization",
         "technology-transfer", "regional-innovation", "evaluation-integrity", "international-cooperation",
         "foreign-talent", "talent-popularization", "awards", "other-responsibilities", "other-tasks",
         "responsibility-adjustments", "function-transformation"],
}
# The judgements behind the additions, by item: ZJ (1), WZ (1), GS (1), HH 1, GY (1) plan "the
# introduction of foreign intelligence / talent / expertise"; ZJ (3), WZ (3) run "innovation surveys /
# investigation and science and technology reporting"; ZJ (7) guides "scientific and technological
# confidentiality"; GS (2) "Foster the development of enterprise technological innovation capabilities",
# HH 2 "advance the technological innovation capacity building of enterprises", GY (2) "increase the
# scientific and technological innovation capabilities of enterprises"; HH 2 "develop plans and policies
# for science popularization and communication".

def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def cut_sequence(text: str, labels: list[str], end_marker: str | None = None) -> list[tuple[str, str]]:
    """Find each label in order and return (label, verbatim text up to the next label)."""
    starts, pos = [], 0
    for label in labels:
        pos = text.index(label, pos)
        starts.append(pos)
        pos += len(label)
    end = text.index(end_marker, starts[-1]) if end_marker else len(text)
    pieces = []
    for i, (label, start) in enumerate(zip(labels, starts, strict=True)):
        stop = starts[i + 1] if i + 1 < len(starts) else end
        pieces.append((label.strip(), text[start + len(label):stop].strip()))
    return pieces


def paren(n: int) -> str:
    return f"({n}) "


def lines_with_labels(text: str, pattern: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2).strip()) for m in re.finditer(pattern, text, re.M)]


def duties() -> dict[str, list[tuple[str, str, list[tuple[str, str]]]]]:
    zj = lines_with_labels(seed("000"), r"^(\(\d+\)) (.+)$")
    wz_text = seed("001")
    wz_top = cut_sequence(wz_text, [paren(n) for n in range(1, 16)] + ["(i) "], None)
    wz_sub = cut_sequence(wz_text, ["(i) ", "(ii) ", "(iii) ", "(ix) ", "(v) ", "(xi) "], " |")
    wz = [(label, body, []) for label, body in wz_top[:-1]]
    wz[-1] = (wz[-1][0], wz[-1][1], wz_sub)
    gs = lines_with_labels(seed("002"), r"^(\(\d+\)) (.+)$")
    hh = lines_with_labels(seed("003"), r"^\s*(\d+\.) (.+)$")
    gy_text = seed("004")
    gy_top = lines_with_labels(gy_text, r"^(\(\d+\)) (.+)$")
    gy_sub = lines_with_labels(gy_text, r"^(\d\.) (.+)$")
    gy = [(label, body, gy_sub if label == "(17)" else []) for label, body in gy_top]
    return {
        ZJ: [(label, body, []) for label, body in zj],
        WZ: wz,
        GS: [(label, body, []) for label, body in gs],
        HH: [(label, body, []) for label, body in hh],
        GY: gy,
    }


GANSU_INTRO = next(line for line in seed("002").splitlines() if line.startswith("In accordance with"))


def hours_as_published(prefix: str) -> str:
    """The words after "Office Hours:", up to the first line that is not part of them (whitespace runs,
    including the page's en spaces and line breaks, read as one space)."""
    lines = seed(prefix).splitlines()
    start = next(i for i, line in enumerate(lines) if "Office Hours:" in line)
    words = [lines[start].split("Office Hours:", 1)[1]]
    for line in lines[start + 1:]:
        if line.strip() and not line.strip().startswith("Winter"):
            break
        words.append(line)
    return " ".join(" ".join(words).split())


AGENCIES = [
    dict(slug=ZJ, name="Zhejiang Provincial Department of Science and Technology", name_zh="浙江省科学技术厅",
         level="provincial_department", region="330000", seat="330100", parent=None,
         address="No. 33, West Huancheng Road, Hangzhou (Building 4, Provincial Administrative Center )",
         postcode="310006", website="http://kjt.zj.gov.cn", rank="", description="",
         hours_as_published="", hours_notes="", hours_notes_zh=""),
    dict(slug=WZ, name="Wenzhou Municipal Science and Technology Bureau", name_zh="温州市科学技术局",
         level="municipal_bureau", region="330300", seat="330300", parent=None,
         address="", postcode="", website="", rank="", description="",
         hours_as_published="", hours_notes="", hours_notes_zh=""),
    dict(slug=GS, name="Gansu Provincial Department of Science and Technology", name_zh="甘肃省科学技术厅",
         level="provincial_department", region="620000", seat="620100", parent=None,
         address="No. 166 Qingyang Road, Chengguan District, Lanzhou City", postcode="", website="",
         rank="director-general level", description=GANSU_INTRO,
         hours_as_published=hours_as_published("002"), hours_notes="", hours_notes_zh=""),
    dict(slug=HH, name="Huaihua Municipal Science and Technology Bureau", name_zh="怀化市科学技术局",
         level="municipal_bureau", region="431200", seat="431200", parent=None,
         address="10/F, Building A, Civic Service Center, Huaihua", postcode="", website="", rank="",
         description="",
         hours_as_published=hours_as_published("003"),
         # The portal's own reading of the page (not published text), in both languages.
         hours_notes="The page names no days. Government offices keep the national Monday–Friday working "
                     "week (plus make-up workdays), so the published hours are applied Monday to Friday.",
         hours_notes_zh="该页面未写明办公日。政府机关实行全国统一的周一至周五工作制（另有调休上班日），"
                        "因此所公布的时间按周一至周五适用。"),
    dict(slug=GY, name="Guiyang Bureau of Science and Technology", name_zh="贵阳市科学技术局",
         level="municipal_bureau", region="520100", seat="520100", parent=None,
         address="", postcode="", website="", rank="", description="",
         hours_as_published="", hours_notes="", hours_notes_zh=""),
]

OTHER_NAMES = {GS: ["Gansu Provincial Foreign Experts Bureau",
                    "Lanzhou-Baiyin National Independent Innovation Demonstration Zone Office"]}

CONTACTS = {
    ZJ: [("supervision", "Supervision Telephone", "(0571) 87056409", "+8657187056409"),
         ("email", "Email", "webmaster@zjinfo.gov.cn", ""),
         ("enquiries", "Public Telephone", "(0571)87054007", "+8657187054007"),
         ("complaints", "Complaint Telephone", "(0571)87056409", "+8657187056409"),
         ("website", "Website", "http://kjt.zj.gov.cn", "")],
    GS: [("office", "tel", "00-86-0931-8834621", "+869318834621"),
         ("office", "Contact (Department Office)", "0931-8834621", "+869318834621")],
    HH: [("office", "Tel", "0745-2712900", "+867452712900")],
}

HOURS = {
    GS: [("12345", "08:30:00", "12:00:00", "", "", "", ""),
         ("12345", "14:30:00", "18:00:00", "", "", "", "")],
    HH: [("12345", "08:00:00", "12:00:00", "Summer", "夏季", "07-01", "09-30"),
         ("12345", "15:00:00", "18:00:00", "Summer", "夏季", "07-01", "09-30"),
         ("12345", "08:00:00", "12:00:00", "Winter", "冬季", "10-01", "06-30"),
         ("12345", "14:30:00", "17:30:00", "Winter", "冬季", "10-01", "06-30")],
}

SOURCES = {
    ZJ: ("Zhejiang Provincial Department of Science and Technology", "", "2020-09-01", "", "000"),
    WZ: ("Functions of Wenzhou Municipal Science and Technology Bureau", "", None, "", "001"),
    GS: ("Institutional information: Gansu Provincial Department of Science and Technology", "", None, "", "002"),
    # Huaihua's page prints "Source:http://www.huaihua.gov.cn/": the city portal it credits, not its own address.
    HH: ("Huaihua Municipal Science and Technology Bureau", "", "2024-01-05", "Yu Jie", "003",
         "http://www.huaihua.gov.cn/"),
    GY: ("Responsibilities of the Guiyang Bureau of Science and Technology", "", "2020-10-21", "", "004"),
}


def build() -> None:
    regions = [{"model": "agencies.region", "fields": {
        "code": code, "name": name, "name_zh": zh, "level": level, "parent": [parent] if parent else None}}
        for code, name, zh, level, parent in REGIONS]
    categories = [{"model": "duties.dutycategory", "fields": {
        "slug": slug, "name": name, "name_zh": zh, "description": desc, "position": i + 1}}
        for i, (slug, name, zh, desc) in enumerate(CATEGORIES)]
    rows = []
    for agency in AGENCIES:
        fields = dict(agency)
        slug = fields.pop("slug")
        fields["region"] = [fields["region"]]
        fields["seat"] = [fields["seat"]]
        fields["parent"] = [fields["parent"]] if fields["parent"] else None
        fields.update(status="published", timezone="Asia/Shanghai", last_verified=None, version=1,
                      created_at="2026-11-22T00:00:00Z", updated_at="2026-11-22T00:00:00Z")
        rows.append({"model": "agencies.agency", "fields": {"slug": slug, **fields}})
    pk = {"name": 0, "contact": 0, "hours": 0, "source": 0, "duty": 0}

    def next_pk(kind: str) -> int:
        pk[kind] += 1
        return pk[kind]

    all_duties = duties()
    used: set[str] = set()
    for agency in AGENCIES:
        slug = agency["slug"]
        for position, name in enumerate(OTHER_NAMES.get(slug, []), start=1):
            rows.append({"model": "agencies.agencyname", "pk": next_pk("name"), "fields": {
                "agency": [slug], "name": name, "name_zh": "", "position": position}})
        for position, (kind, label, value, e164) in enumerate(CONTACTS.get(slug, []), start=1):
            rows.append({"model": "agencies.contact", "pk": next_pk("contact"), "fields": {
                "agency": [slug], "kind": kind, "label": label, "value": value, "e164": e164,
                "position": position}})
        for weekdays, opens, closes, season, season_zh, start, end in HOURS.get(slug, []):
            rows.append({"model": "agencies.officehours", "pk": next_pk("hours"), "fields": {
                "agency": [slug], "weekdays": weekdays, "opens": opens, "closes": closes, "season_name": season,
                "season_name_zh": season_zh, "valid_from": start, "valid_through": end}})
        title, url, page_date, translator, prefix, *origin = SOURCES[slug]
        seed_file = next(SEEDS.glob(f"{prefix}_*.txt")).name
        rows.append({"model": "agencies.source", "pk": next_pk("source"), "fields": {
            "agency": [slug], "title": title, "url": url, "origin": "".join(origin), "page_date": page_date,
            "translator": translator,
            "retrieved_at": None, "reference": f"shared/seeds/{seed_file}"}})
        categories_in_order = TOP[slug]
        published = all_duties[slug]
        assert len(published) == len(categories_in_order), (slug, len(published))
        for position, ((label, text, subs), slugs) in enumerate(zip(published, categories_in_order, strict=True),
                                                                start=1):
            parent_pk = next_pk("duty")
            rows.append({"model": "duties.duty", "pk": parent_pk, "fields": {
                "agency": [slug], "parent": None, "position": position, "label": label, "text": text,
                "categories": [[category] for category in slugs.split()]}})
            used.update(slugs.split())
            for sub_position, (sub_label, sub_text) in enumerate(subs, start=1):
                rows.append({"model": "duties.duty", "pk": next_pk("duty"), "fields": {
                    "agency": [slug], "parent": parent_pk, "position": sub_position, "label": sub_label,
                    "text": sub_text, "categories": [[category] for category in slugs.split()]}})
    assert used <= {slug for slug, *_ in CATEGORIES}, used - {slug for slug, *_ in CATEGORIES}
    for name, data in [("regions", regions), ("categories", categories), ("agencies", rows)]:
        (OUT / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"fixtures/{name}.json: {len(data)} objects")


if __name__ == "__main__":
    build()
