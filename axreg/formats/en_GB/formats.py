# The date shapes the pages use, per language (settings.FORMAT_MODULE_PATH). Templates name
# them (`|date:"SHORT_DATE_FORMAT"`), Python passes the name to `formats.date_format`; inputs
# stay ISO (forms set their own input formats) whatever the language.
from axreg.formats import ISO_DATE_INPUT_FORMATS, ISO_DATETIME_INPUT_FORMATS

DATE_FORMAT = "j F Y"  # 1 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 1 Dec 2026
DATETIME_FORMAT = "j M Y H:i:s"
SHORT_DATETIME_FORMAT = "j M Y H:i"  # 1 Dec 2026 14:05
YEAR_MONTH_FORMAT = "M Y"  # Dec 2026
MONTH_DAY_FORMAT = "j M"  # 1 Dec
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ISO_DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = ISO_DATETIME_INPUT_FORMATS
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
