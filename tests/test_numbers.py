from decimal import Decimal

import pytest

from bulletin.render import numbers_en as numbers


@pytest.mark.parametrize("count, text", [
    (4_690_000_000_000, "4.69 trillion"),
    (3_294_000_000_000, "3.29 trillion"),
    (666_000_000_000, "666 billion"),
    (1_000_000_000_000, "1 trillion"),
    (999_600_000_000, "1 trillion"),  # rounding carries into the next scale
    (1_045_000_000_000, "1.05 trillion"),  # half up, as a reader expects
    (10**16, "10 quadrillion"),
    # The press's precision: two decimals below 100 in the scale word, whole units above.
    (12_960_000_000_000, "12.96 trillion"),  # not "13 trillion"
    (32_954_000_000_000, "32.95 trillion"),  # not "33 trillion" beside "2.34 trillion"
    (4_600_000_000_000, "4.6 trillion"),  # 4.60: no digit lost, no zero padded
    (895_420_000_000, "895 billion"),
    (123_456_000_000_000, "123 trillion"),
    (12_345, "12,345"),
    (0, "0"),
])
def test_tokens_read_like_a_journalist_wrote_them(count: int, text: str) -> None:
    assert numbers.tokens(count) == text


def test_a_series_keeps_the_scale_its_source_used() -> None:
    assert numbers.tokens_in(3_900 * 10**15, "quadrillion") == "3,900 quadrillion"
    assert numbers.tokens_in(10 * 10**15, "quadrillion") == "10 quadrillion"
    assert numbers.tokens_in(Decimal("1.3e15"), "quadrillion") == "1.3 quadrillion"


def test_percentages_carry_a_sign_and_a_real_minus() -> None:
    assert numbers.signed_percent(4690 / 4194 - 1) == "+11.8%"
    assert numbers.signed_percent(3294 / 3633 - 1) == "\u22129.3%"
    assert numbers.signed_percent(0.00001) == "0.0%"
    assert numbers.percent(-0.0933) == "9.3%"
    assert numbers.rough_percent(390 ** (1 / 5) - 1) == "230%"


def test_ordinals_and_counts_in_words() -> None:
    assert [numbers.ordinal(n) for n in (1, 2, 10, 11, 12, 21, 22, 23)] == [
        "first", "second", "tenth", "11th", "12th", "21st", "22nd", "23rd"]
    assert numbers.count_words(2) == "two"
    assert numbers.count_words(12) == "12"


def test_multiples_and_dates() -> None:
    assert numbers.multiple(390) == "390"
    assert numbers.multiple(2.46) == "2.5"
    assert numbers.long_date("2026-03-15") == "March 15, 2026"
    assert numbers.month_day("2026-03-15") == "March 15"


def test_chinese_numbers_follow_the_chinese_press() -> None:
    from bulletin.render import numbers_zh as zh

    assert zh.tokens(4_690_000_000_000) == "4.69万亿"
    assert zh.tokens(3_294_000_000_000) == "3.29万亿"
    assert zh.tokens(666_000_000_000) == "6660亿"
    assert zh.tokens(12_345_678) == "1235万"
    assert zh.tokens(12_960_000_000_000) == "12.96万亿"
    assert zh.tokens(999_996_000_000) == "1万亿"  # rounding carries into the next myriad
    assert zh.tokens(9_999) == "9999"
    # JPMorgan's forecast, in the source's scale as the Chinese reports wrote it.
    assert zh.tokens_in(3_900 * 10**15, "quadrillion") == "3900千万亿"
    assert zh.tokens_in(10 * 10**15, "quadrillion") == "10千万亿"
    assert zh.signed_percent(-0.0933) == "-9.3%"
    assert zh.ordinal(2) == "第2" and zh.ordinal(11) == "第11"
    assert zh.count_words(2) == "两" and zh.count_words(3) == "三"
    assert zh.long_date("2026-03-15") == "2026年3月15日"
    assert zh.month_day("2026-03-15") == "3月15日"
    assert zh.iso_week("2025-W46") == "2025年第46周" and zh.iso_week("2026-W07") == "2026年第7周"
    assert numbers.iso_week("2025-W46") == "2025-W46"


def test_a_rise_of_100_percent_or_more_is_a_multiple_in_prose_and_tables() -> None:
    from bulletin.render import numbers_zh as zh

    assert numbers.change(0.987) == "+98.7%"
    assert numbers.change(1.097) == "2.1×"  # not "+109.7%"
    assert numbers.change(14.529) == "16×"  # not "+1,452.9%"
    assert numbers.times(14.0) == "15"
    assert zh.change(1.097) == "2.1倍"
    assert zh.change(-0.25) == "-25.0%"


def test_chinese_datelines_and_percentages_as_the_chinese_press_writes_them() -> None:
    from bulletin.render import numbers_zh as zh

    assert zh.date_range("2026-05-11", "2026-05-17") == "2026年5月11日至17日"
    assert zh.date_range("2026-06-29", "2026-07-05") == "2026年6月29日至7月5日"
    assert zh.date_range("2025-12-29", "2026-01-04") == "2025年12月29日至2026年1月4日"
    assert zh.percent(14.529) == "1452.9%"  # no separator
    assert numbers.date_range("2026-05-11", "2026-05-17") == "May 11 to May 17, 2026"


def test_percentages_keep_one_decimal_in_every_language() -> None:
    from bulletin.render import numbers_zh as zh

    # "+25.0%" beside "+11.8%", never "+25%": the same precision for every change.
    assert numbers.signed_percent(0.25) == "+25.0%"
    assert numbers.change(-0.1) == "\u221210.0%"
    assert zh.signed_percent(0.25) == "+25.0%"
    assert zh.change(0.3) == "+30.0%"
    assert numbers.percent(0.4, 0) == "40%"  # a threshold asked for with no decimals


def test_a_models_variant_in_chinese_copy_needs_no_brackets() -> None:
    from bulletin.render import numbers_zh as zh

    assert zh.model_name("Step 3.5 Flash (free)") == "Step 3.5 Flash（免费版）"
    assert zh.model_name("DeepSeek V4 Flash (2026-07-31)") == "DeepSeek V4 Flash 2026年7月31日版"
    assert zh.model_name("MiMo V2.5") == "MiMo V2.5"


@pytest.mark.parametrize(("text", "expected"), [
    ("seventh", "a seventh"), ("eighth", "an eighth"), ("11th", "an 11th"), ("18th", "an 18th"),
    ("80th", "an 80th"), ("180th", "a 180th"), ("eight-week", "an eight-week"),
    ("one-week", "a one-week"), ("11.2%", "an 11.2%"), ("8.4%", "an 8.4%"), ("0.8%", "a 0.8%"),
    ("11,000", "an 11,000"), ("1,100", "a 1,100"), ("390", "a 390"), ("high", "a high")])
def test_the_article_agrees_with_the_sound_of_what_follows(text: str, expected: str) -> None:
    # STYLEBOOK 8: "for an eighth week", never "for a eighth week".
    assert numbers.article(text) == expected


@pytest.mark.parametrize(("name", "chinese"), [
    ("Tencent Hy3", "腾讯Hy3"), ("Tencent Hy3 Preview (free)", "腾讯Hy3 Preview（免费版）"),
    ("Google Gemini 3 Flash", "谷歌Gemini 3 Flash"), ("DeepSeek V4 Flash", "DeepSeek V4 Flash"),
    ("Tencent", "Tencent")])
def test_a_makers_name_in_a_model_is_the_one_the_chinese_copy_uses(name: str, chinese: str) -> None:
    from bulletin.render import numbers_zh

    # STYLEBOOK 7: one form per name, 腾讯Hy3 beside 腾讯, never "Tencent Hy3".
    assert numbers_zh.model_name(name) == chinese


def test_a_table_states_its_unit_once_and_no_cell_reads_below_one_or_alike() -> None:
    from bulletin.render import numbers_en, numbers_zh

    top = [1_752_340_000_000, 890_000_000_000, 562_400_000_000, 560_100_000_000]
    assert numbers_en.table_unit(top) == "billions"
    assert [numbers_en.in_unit(n, "billions") for n in top] == ["1,752", "890", "562", "560"]
    countries = [4_690_000_000_000, 3_290_000_000_000]
    assert numbers_en.table_unit(countries) == "trillions"
    assert [numbers_en.in_unit(n, "trillions") for n in countries] == ["4.69", "3.29"]
    assert numbers_zh.table_unit(top) == "亿"
    assert [numbers_zh.in_unit(n, "亿") for n in top] == ["17523", "8900", "5624", "5601"]
    assert numbers_zh.table_unit(countries) == "万亿"
    # Below the smallest unit a table has none, and its cells are the counts themselves.
    assert numbers_en.table_unit([950_000, 0]) == "" and numbers_en.in_unit(950_000, "") == "950,000"
    assert numbers_zh.table_unit([9_000]) == "" and numbers_zh.in_unit(9_000, "") == "9000"
