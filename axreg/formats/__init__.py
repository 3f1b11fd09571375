"""Date and number formats per language (settings.FORMAT_MODULE_PATH). What every language
shares lives here: inputs are ISO in every language (a browser's date input holds only that)."""

ISO_DATE_INPUT_FORMATS = ["%Y-%m-%d"]
ISO_DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
]
