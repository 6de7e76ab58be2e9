"""One table of cases per rule: the published phrase in, the fact (or nothing) out."""
import pytest

from ingest import rules
from ingest.rules import extract, lines_of


def duties_of(text: str) -> list:
    return [(d.value["label"], d.value["text"], [(c.value["label"], c.value["text"]) for c in d.children])
            for d in rules.find_duties(text)]


@pytest.mark.parametrize("text, labels", [
    ("(1) Plan.\n(2) Fund.\n", ["(1)", "(2)"]),
    ("1. Plan.\n2. Fund.\n", ["1.", "2."]),
    ("1.Plan.\n2.Fund.\n", ["1.", "2."]),
    ("1、规划。\n2、经费。\n", ["1、", "2、"]),
    ("（一）规划。\n（二）经费。\n", ["（一）", "（二）"]),
    ("一、规划。\n二、经费。\n", ["一、", "二、"]),
    ("I. Plan.\nII. Fund.\n", ["I.", "II."]),
    ("i. Plan.\nii. Fund.\n", ["i.", "ii."]),
    ("(i) Plan.\n(ii) Fund.\n", ["(i)", "(ii)"]),
    ("①规划。\n②经费。\n", ["①", "②"]),
    ("（1）规划。\n（2）经费。\n", ["（1）", "（2）"]),
])
def test_every_numbering_style_is_read_with_its_label_as_published(text, labels):
    assert [label for label, _, _ in duties_of(text)] == labels


def test_duties_run_together_in_one_paragraph_are_split_at_sentence_ends():
    text = "(1) To plan. (2) To fund; to audit. (3) To award (see 2020 rules)."
    assert duties_of(text) == [("(1)", "To plan.", []), ("(2)", "To fund; to audit.", []),
                               ("(3)", "To award (see 2020 rules).", [])]


def test_a_number_inside_a_sentence_is_not_a_new_duty():
    text = "(1) Review the plan (2) times a year.\n(2) Fund research.\n"
    assert [d[1] for d in duties_of(text)] == ["Review the plan (2) times a year.", "Fund research."]


def test_sub_items_nest_under_their_item_and_odd_labels_are_kept_with_a_note():
    text = "(1) Plan.\n(2) Transform: (i) first. (ii) second. (iii) third. (ix) fourth. (v) fifth.\n"
    found = rules.find_duties(text)
    assert [c.value["label"] for c in found[1].children] == ["(i)", "(ii)", "(iii)", "(ix)", "(v)"]
    assert found[1].value["text"] == "Transform:"
    assert "out of sequence" in found[1].children[3].flag and found[1].children[2].flag == ""


def test_sub_items_on_their_own_lines_under_the_last_item():
    text = "(1) Plan.\n(2) Adjustments\n1. Moved out.\n2. Moved in.\nTel: 0571-87654321\n"
    assert duties_of(text)[1] == ("(2)", "Adjustments", [("1.", "Moved out."), ("2.", "Moved in.")])


def test_a_page_without_a_numbered_list_has_no_duties():
    assert duties_of("We plan science and fund research.\n") == []


def test_decimal_numbers_and_times_are_not_labels():
    assert duties_of("Open 8.30 to 12.00\nPrice 2.5\n") == []


@pytest.mark.parametrize("text, value", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("三十一", 31), ("九十九", 99), ("百", None), ("", None),
])
def test_chinese_numerals(text, value):
    assert rules.cn_number(text) == value


@pytest.mark.parametrize("text, value", [("i", 1), ("iv", 4), ("ix", 9), ("xi", 11), ("XIV", 14), ("q", None)])
def test_roman_numerals(text, value):
    assert rules.roman_number(text) == value


def hours_of(phrase: str) -> list[tuple]:
    text = f"Office Hours: {phrase}\n"
    found, _ = rules.find_hours(text, len("Office Hours: "), len(text))
    return [(h.value["weekdays"], h.value["opens"], h.value["closes"], h.value["season_name"],
             h.value["valid_from"], h.value["valid_through"]) for h in found]


@pytest.mark.parametrize("phrase, expected", [
    ("Weekdays 8:30 AM–12:00 PM, 2:30 PM–6:00 PM",
     [("12345", "08:30", "12:00", "", "", ""), ("12345", "14:30", "18:00", "", "", "")]),
    ("Monday to Friday 9:00 a.m. - 5:00 p.m.", [("12345", "09:00", "17:00", "", "", "")]),
    ("Summer (July 1 - September 30): 8:00 a.m. -12:00 p.m., 3:00 p.m. -6:00 p.m.; "
     "Winter (October 1 - June 30 of the following year): 8:00 a.m. -12:00 p.m., 2:30-5:30 p.m.",
     [(None, "08:00", "12:00", "Summer", "07-01", "09-30"), (None, "15:00", "18:00", "Summer", "07-01", "09-30"),
      (None, "08:00", "12:00", "Winter", "10-01", "06-30"), (None, "14:30", "17:30", "Winter", "10-01", "06-30")]),
    ("工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）",
     [("12345", "08:30", "12:00", "", "", ""), ("12345", "14:30", "17:30", "", "", "")]),
    ("周一至周五 夏季（7月1日至9月30日）上午8:00—12:00，下午15:00—18:00",
     [("12345", "08:00", "12:00", "Summer", "07-01", "09-30"),
      ("12345", "15:00", "18:00", "Summer", "07-01", "09-30")]),
    ("冬季（10月1日至次年6月30日）上午8:00—12:00，下午2:30—5:30",
     [(None, "08:00", "12:00", "Winter", "10-01", "06-30"), (None, "14:30", "17:30", "Winter", "10-01", "06-30")]),
    ("星期一至星期五 上午八时至十二时，下午二时半至五时半",
     [("12345", "08:00", "12:00", "", "", ""), ("12345", "14:30", "17:30", "", "", "")]),
    ("周一至周六 9:00-17:00", [("123456", "09:00", "17:00", "", "", "")]),
    ("Every day 09:00-21:00", [("1234567", "09:00", "21:00", "", "", "")]),
    ("By appointment", []),
    ("18:00-09:00", []),
])
def test_office_hours_phrasings(phrase, expected):
    assert hours_of(phrase) == expected


def test_hours_without_days_are_flagged_not_assumed():
    text = "Office Hours: 9:00-17:00\n"
    found, _ = rules.find_hours(text, 14, len(text))
    assert found[0].value["weekdays"] is None and "no days" in found[0].flag


def test_holiday_closing_is_read_as_a_note():
    text = "办公时间：工作日9:00-17:00（法定节假日除外）"
    _, notes = rules.find_hours(text, 5, len(text))
    assert [text[n.start:n.end] for n in notes] == ["（法定节假日除外）"]


def phones_of(line: str) -> list[dict]:
    return [f.value for f in rules.find_phones(line, lines_of(line)[0])]


@pytest.mark.parametrize("line, expected", [
    ("Supervision Telephone: (0571) 87056409", [("supervision", "Supervision Telephone", "(0571) 87056409")]),
    ("| tel: | 00-86-0931-8834621 |", [("office", "tel", "00-86-0931-8834621")]),
    ("Contact: 0931-8834621 (Department Office)", [("office", "Contact (Department Office)", "0931-8834621")]),
    ("电话：0571-87654321，传真：0571-87654322",
     [("office", "电话", "0571-87654321"), ("fax", "传真", "0571-87654322")]),
    ("投诉电话：０５７１－８７６５４３２１", [("complaints", "投诉电话", "０５７１－８７６５４３２１")]),
    ("咨询电话：12345", []),
    ("No. 33, West Huancheng Road, 310006", []),
])
def test_phones_keep_their_published_label_and_form(line, expected):
    assert [(p["kind"], p["label"], p["value"]) for p in phones_of(line)] == expected


def test_phones_are_normalised_to_e164():
    assert phones_of("Tel: 00-86-0931-8834621")[0]["e164"] == "+869318834621"


@pytest.mark.parametrize("line, address, postcode", [
    ("Address and Postcode: No. 33, West Huancheng Road, Hangzhou (Building 4), 310006",
     "No. 33, West Huancheng Road, Hangzhou (Building 4)", "310006"),
    ("| address: | No. 166 Qingyang Road |", "No. 166 Qingyang Road", None),
    ("地址：示例市人民路1号（邮编：999003）", "示例市人民路1号", "999003"),
    ("Add: 10/F, Building A", "10/F, Building A", None),
    ("Address unknown", None, None),
])
def test_address_and_postcode(line, address, postcode):
    found_address, found_postcode = rules.find_address(line, lines_of(line)[0])
    assert (found_address.value if found_address else None) == address
    assert (found_postcode.value if found_postcode else None) == postcode


@pytest.mark.parametrize("text, names", [
    ("It also serves as the Gansu Provincial Foreign Experts Bureau and the Lanzhou Zone Office. It leads.",
     ["Gansu Provincial Foreign Experts Bureau", "Lanzhou Zone Office"]),
    ("The bureau is also known as the Example Foreign Experts Bureau. ", ["Example Foreign Experts Bureau"]),
    ("加挂示例市知识产权局、示例市地震局牌子。", ["示例市知识产权局", "示例市地震局"]),
    ("It has no other name.", []),
])
def test_other_names(text, names):
    assert [fact.value for fact in rules.find_other_names(text)] == names


@pytest.mark.parametrize("text, rank", [
    ("a department of the provincial government at the director-general level.", "director-general level"),
    ("示例市科学技术局为正处级。", "正处级"), ("No rank is given.", None),
])
def test_rank(text, rank):
    found = rules.find_rank(text)
    assert (found.value if found else None) == rank


@pytest.mark.parametrize("line, date", [
    ("Date:2020-09-01 09:07", "2020-09-01"), ("2024-01-05 19:49Source:http://x.example/", "2024-01-05"),
    ("发布时间：2025年3月14日", "2025-03-14"), ("Updated: 2020/10/21", "2020-10-21"),
    ("Hall Document [2018] No. 120", None), ("2020-13-45", None),
])
def test_page_date(line, date):
    found = rules.find_page_date(line, lines_of(line))
    assert (found.value if found else None) == date


def test_source_translator_and_website():
    text = "2024-01-05 Source:http://www.example.gov.cn/\n(Translated by Jane Example)\nWebsite: http://kjt.example.org\n"
    page = extract(text)
    assert page.origin.value == "http://www.example.gov.cn/"
    assert page.translator.value == "Jane Example"
    assert page.website.value == "http://kjt.example.org"


def test_names_in_english_and_chinese():
    page = extract("Home\nResponsibilities of the Example Bureau of Science and Technology\n示例市科学技术局\n")
    assert page.name.value == "Example Bureau of Science and Technology"
    assert page.name_zh.value == "示例市科学技术局"


def test_a_lead_in_line_is_not_a_description_but_an_introduction_is():
    lead = extract("The main responsibilities are as follows:\n1. Plan.\n2. Fund.\n")
    intro = extract("The bureau is a city department. It also serves as the X Office. Its duties are:\n"
                    "1. Plan.\n2. Fund.\n")
    assert lead.description is None
    assert intro.description.value.startswith("The bureau is a city department.")


def test_every_fact_points_at_its_words_in_the_page():
    text = "Example City Science and Technology Bureau\n(1) Plan.\n(2) Fund.\nTel: 0571-87654321\n"
    page = extract(text)
    assert text[page.duties[1].start:page.duties[1].end] == "(2) Fund."
    assert text[page.contacts[0].start:page.contacts[0].end] == "Tel: 0571-87654321"
    assert text[page.name.start:page.name.end] == page.name.value


def test_what_no_rule_reads_is_listed_as_unparsed_never_dropped():
    text = "Example City Science and Technology Bureau\n(1) Plan.\n(2) Fund.\nVisitors please bring ID\n"
    page = extract(text)
    assert [text[s:e] for s, e in page.unparsed] == ["Visitors please bring ID"]


def test_a_page_in_sections_takes_its_duties_from_the_section_that_names_them():
    text = ("一、主要职责\n（一）贯彻方针政策。\n（二）实施科技计划。\n二、内设机构\n（一）办公室。负责运转。\n"
            "（二）计划科。\n三、联系方式\n")
    assert duties_of(text) == [("（一）", "贯彻方针政策。", []), ("（二）", "实施科技计划。", [])]


def test_an_item_with_sub_items_among_real_duties_is_not_a_section():
    text = "(1) Plan the city's science.\n(2) Adjustment of responsibilities\n1. Moved out.\n2. Moved in.\n"
    assert [label for label, _, _ in duties_of(text)] == ["(1)", "(2)"]
