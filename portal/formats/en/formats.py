"""English dates in one style: "5 January 2024" (never "Jan. 5, 2024" beside "Fri 1 Jan 2027").

Chinese keeps Django's own zh_Hans formats, which already read "2024年1月5日"."""
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
