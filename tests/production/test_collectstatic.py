"""collectstatic with DEBUG off, as the Dockerfile runs it: the manifest storage refuses a file
that names another one it cannot find (a vendored script's source map), and the image then
does not build. The full production run is .ci/production; this is the quick regression."""

import json
from pathlib import Path

from django.conf import settings as django_settings
from django.core.management import call_command

MANIFEST_STORAGE = {
    **django_settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_every_vendored_source_map_comment_names_a_shipped_file():
    vendor = Path(django_settings.BASE_DIR, "static", "vendor")
    missing = []
    for path in sorted(vendor.iterdir()):
        if path.suffix not in (".js", ".css"):
            continue
        for line in path.read_text(errors="replace").splitlines():
            if "sourceMappingURL=" in line:
                target = line.split("sourceMappingURL=", 1)[1].strip(" */")
                if not (path.parent / target).exists():
                    missing.append(f"{path.name} → {target}")
    assert missing == []


def test_collectstatic_with_the_production_storage_succeeds_and_hashes_the_vendored_files(
    settings, tmp_path
):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST_STORAGE
    call_command("collectstatic", "--no-input", verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/chart.umd.min.js",
        "vendor/Sortable.min.js",
        "css/app.css",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ):
        assert (tmp_path / paths[name]).is_file(), name
