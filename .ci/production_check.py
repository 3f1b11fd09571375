"""Check a running production server (DEBUG off, collected static files) from the outside.

    python .ci/production_check.py BASE_URL STATIC_ROOT EMAIL PASSWORD

1. Every file in the collected manifest (staticfiles.json) answers 200 at its hashed URL with
   the collected bytes: what WhiteNoise serves in production, not what runserver serves.
2. Signs in through the login form and walks every page reachable by links from /app/,
   following redirects; each must answer 2xx (a 3xx is followed, never to the sign-in page),
   and every script, stylesheet and image a page names must be a collected static file that
   answers 200.
3. /api/docs/ and /api/schema/ answer 200; an unknown URL answers the plain 404 page (not
   Django's debug page).

Standard library only, so CI installs nothing for it. Exits 1 listing every failure.
"""

import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

MAX_PAGES = 600
# List pages link to many filtered or paged variants of themselves; a few of each will do.
MAX_QUERY_VARIANTS = 4
# Links that change state or leave the signed-in session.
SKIP_PREFIXES = ("/logout/", "/admin/")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Links(HTMLParser):
    """The a[href] links and the script/stylesheet/image assets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif (
            tag == "link"
            and a.get("href")
            and not a["href"].startswith("data:")
            and re.search(r"stylesheet|icon", a.get("rel") or "")
        ):
            self.assets.append(a["href"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.assets.append(a["src"])


class Client:
    """Keeps the session by hand: the production cookies are Secure and this is plain http."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        url = urljoin(self.base, path)
        body = urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if data is not None:
            req.add_header("Referer", url)
        try:
            with OPENER.open(req, timeout=60) as response:
                status, headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, content = error.code, error.headers, error.read()
        except OSError as error:  # a dropped connection (a killed worker) is a failure too
            return 0, {}, str(error).encode()
        for cookie in headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, headers, content


def check_static(base: str, static_root: Path, static_url: str) -> tuple[set[str], list[str]]:
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = sorted(set(manifest["paths"].values()))
    if not hashed:
        return set(), ["staticfiles.json lists no files"]

    def fetch(name: str) -> str | None:
        url = urljoin(base, static_url + name)
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                content = response.read()
        except urllib.error.HTTPError as error:
            return f"static {name}: {error.code}"
        if content != (static_root / name).read_bytes():
            return f"static {name}: served bytes differ from the collected file"
        return None

    with ThreadPoolExecutor(4) as pool:
        failures = [f for f in pool.map(fetch, hashed) if f]
    print(f"static: {len(hashed)} collected files fetched, {len(failures)} failed")
    return {static_url + name for name in hashed}, failures


def sign_in(client: Client, email: str, password: str) -> list[str]:
    status, _, content = client.request("/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if status != 200 or not token:
        return [f"/login/: {status}, no sign-in form"]
    form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": email}
    status, headers, _ = client.request("/login/", {**form, "password": password})
    if status != 302 or "/login/" in headers.get("Location", "/login/"):
        return [f"sign-in as {email}: {status} {headers.get('Location', '')}"]
    return []


def check_assets(
    client: Client, page: str, assets: list[str], static: set[str], static_url: str, done: set[str]
) -> list[str]:
    """A static asset must be a collected, hashed file (fetched already); another asset of this
    server (the Swagger UI's init script) must answer 200; none may come from another host."""
    failures = []
    for asset in assets:
        url = urlsplit(urljoin(urljoin(client.base, page), asset))
        key = url.path + (f"?{url.query}" if url.query else "")
        if key in done:
            continue
        done.add(key)
        if url.netloc != urlsplit(client.base).netloc:
            failures.append(f"{page}: names {asset} from another host (no CDN)")
        elif url.path.startswith(static_url):
            if url.path not in static:
                failures.append(f"{page}: names {asset}, not a collected (hashed) static file")
        elif (status := client.request(key)[0]) != 200:
            failures.append(f"{page}: names {asset}, which answers {status}")
    return failures


def crawl(client: Client, static: set[str], static_url: str) -> list[str]:
    failures: list[str] = []
    host = urlsplit(client.base).netloc
    queue, seen = ["/app/"], {"/app/"}
    variants: Counter[str] = Counter()
    assets_checked: set[str] = set()
    pages = 0
    while queue and pages < MAX_PAGES:
        path = queue.pop(0)
        pages += 1
        status, headers, content = client.request(path)
        if 300 <= status < 400:
            target = urljoin(urljoin(client.base, path), headers.get("Location", ""))
            parts = urlsplit(target)
            if parts.netloc != host or parts.path.startswith("/login/"):
                failures.append(f"{path}: {status} to {target}")
            elif (nxt := parts.path + (f"?{parts.query}" if parts.query else "")) not in seen:
                seen.add(nxt)
                queue.append(nxt)
            continue
        if not 200 <= status < 300:
            failures.append(
                f"{path}: {status} {content[:200]!r}" if status == 0 else f"{path}: {status}"
            )
            continue
        if "text/html" not in headers.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(content.decode("utf-8", "replace"))
        failures += check_assets(client, path, parser.assets, static, static_url, assets_checked)
        for href in parser.links:
            parts = urlsplit(urljoin(urljoin(client.base, path), urldefrag(href)[0]))
            if parts.scheme not in ("http", "https") or parts.netloc != host:
                continue
            if parts.path.startswith(SKIP_PREFIXES) or parts.path.startswith(static_url):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen:
                continue
            if parts.query:
                if variants[parts.path] >= MAX_QUERY_VARIANTS:
                    continue
                variants[parts.path] += 1
            seen.add(target)
            queue.append(target)
    print(f"pages: {pages} visited, {len(assets_checked)} distinct assets named")
    if os.environ.get("PRODUCTION_CHECK_VERBOSE"):
        shapes = Counter(re.sub(r"\d+", "N", p.split("?")[0]) for p in seen)
        for shape, n in shapes.most_common(30):
            print(f"  {n:4} {shape}")
    if pages < 10:
        failures.append(f"only {pages} pages reachable from /app/: is the demo data seeded?")
    return failures


def main(base: str, static_root: str, email: str, password: str) -> int:
    base = base.rstrip("/") + "/"
    static_url = "/static/"
    static, failures = check_static(base, Path(static_root), static_url)
    client = Client(base)
    failures += sign_in(client, email, password)
    if not failures:
        failures += crawl(client, static, static_url)
        for path in ("/api/docs/", "/api/schema/", "/healthz"):
            status, _, content = client.request(path)
            if status != 200:
                failures.append(f"{path}: {status}")
            elif path == "/api/docs/":
                parser = Links()
                parser.feed(content.decode())
                if not parser.assets:
                    failures.append("/api/docs/ names no script or stylesheet")
                failures += check_assets(client, path, parser.assets, static, static_url, set())
        status, _, content = client.request("/no-such-page-production-check/")
        if status != 404 or b"URLconf" in content:
            failures.append(f"unknown URL: {status} (DEBUG must be off: no debug 404 page)")
    for failure in failures:
        print("FAIL", failure)
    print("production check:", "FAILED" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
