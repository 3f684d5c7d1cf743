# SPDX-License-Identifier: GPL-3.0-or-later
# Drive headless Chromium through WebDriver over status.cgi's page for t/48-status-page.t: rows, a refresh after set-action, no external resource, no CSP violation, a screenshot.
import base64
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

url, user, password, parc, mac, screenshot, refresh = sys.argv[1:8]
set_action = sys.argv[8:]
refresh = float(refresh)
origin = url.split("/cgi-bin/")[0]


def say(key, value):
    print("%s=%s" % (key, value), flush=True)


# Read in one script run: the page rebuilds its tables every refresh, so
# an element found by one WebDriver call may be gone by the next.
def css_class(sel):
    return driver.execute_script(
        "var e = document.querySelector(arguments[0]);"
        "return e === null ? null : e.className;", sel)


def count(sel):
    return driver.execute_script(
        "return document.querySelectorAll(arguments[0]).length;", sel)


def updated():
    return driver.execute_script(
        "return document.getElementById('updated').textContent;")


opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
          "--disable-dev-shm-usage", "--no-first-run",
          "--disable-background-networking", "--disable-component-update",
          "--disable-default-apps", "--disable-sync", "--disable-extensions",
          "--metrics-recording-only", "--window-size=1400,1000",
          # Nothing but 127.0.0.1: no name resolves, no proxy answers.
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
          "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    driver.set_page_load_timeout(30)
    auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                           {"headers": {"Authorization": "Basic " + auth}})
    driver.get(url)
    sel = 'section[data-parc="%s"] tbody tr' % parc
    say("rows", count(sel))
    say("sections", count("section"))
    row = 'section[data-parc="%s"] tr[data-mac="%s"]' % (parc, mac)
    say("before", css_class(row))
    # The script has refreshed once (the stamp is rewritten) before the change.
    first = updated()
    deadline = time.time() + refresh + 20
    while time.time() < deadline and updated() == first:
        time.sleep(0.1)
    say("refreshed", int(updated() != first))
    subprocess.run(set_action, check=True, stdout=subprocess.DEVNULL)
    t0 = time.time()
    state = ""
    while time.time() < t0 + refresh + 20:
        state = css_class(row)
        if state is not None and state != "st-none":
            break
        time.sleep(0.05)
    say("after", state)
    say("change_ms", int((time.time() - t0) * 1000))
    say("rows_after", count(sel))
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([document.location.href])")
    foreign = [r for r in resources if not r.startswith(origin + "/")]
    say("resources", len(resources))
    say("foreign", " ".join(foreign) if foreign else "none")
    driver.save_screenshot(screenshot)
    logs = driver.get_log("browser")
    csp = [e["message"] for e in logs if "Content Security Policy" in e["message"]
           or "Refused to" in e["message"]]
    # The browser's own /favicon.ico guess is no request of the page.
    severe = [e["message"] for e in logs if e["level"] == "SEVERE"
              and "/favicon.ico" not in e["message"]]
    say("csp", " | ".join(csp) if csp else "none")
    say("severe", " | ".join(severe) if severe else "none")
finally:
    driver.quit()
