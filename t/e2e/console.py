# SPDX-License-Identifier: GPL-3.0-or-later
# Drive headless Chromium through WebDriver over console.cgi for t/e2e/87-console.t: an admin's changes with clicks, a boot seen live, a teacher's limits, forged POSTs, hostile values, screenshots.
import base64
import json
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

console, attacker, shots = sys.argv[1:4]
macs = json.loads(sys.argv[4])          # name -> MAC
boot_cmd = sys.argv[5:]                 # + MAC: a boot request through ipxe.cgi
origin = console.split("/cgi-bin/")[0]


def say(key, value):
    print("%s=%s" % (key, value), flush=True)


opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
          "--disable-dev-shm-usage", "--no-first-run",
          "--disable-background-networking", "--disable-component-update",
          "--disable-default-apps", "--disable-sync", "--disable-extensions",
          "--metrics-recording-only", "--window-size=1024,1366",
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
          "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"):
    opts.add_argument(a)
# A French teacher's browser: the console's default language is asked for.
opts.add_argument("--lang=fr-FR")
opts.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
logs = []


def login(user, password):
    auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                           {"headers": {"Authorization": "Basic " + auth}})


def js(code, *args):
    return driver.execute_script(code, *args)


def row_class(mac):
    return js("var e = document.querySelector('tr[data-mac=\"' + arguments[0] + '\"]');"
              "return e === null ? null : e.className;", mac)


def wait_for(fn, want, seconds):
    end = time.time() + seconds
    got = fn()
    while time.time() < end and got != want:
        time.sleep(0.1)
        got = fn()
    return got


def collect():
    logs.extend(driver.get_log("browser"))


# The POST a page's script can make: the browser sends its own Origin.
FETCH = """
var done = arguments[arguments.length - 1];
var body = new URLSearchParams(arguments[0]);
fetch(arguments[1], {method: 'POST', body: body, redirect: 'manual'})
    .then(function (r) { done(r.status); }, function (e) { done('error ' + e); });
"""

try:
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(20)
    # --- the admin: memtest:run with options on three machines of salle-01 --
    login("admin", "admin-pw")
    driver.get(console + "/?parc=salle-01")
    say("title", driver.title)
    say("lang", js("return document.documentElement.lang;"))
    # Choosing the capability submits its GET form (the script).
    Select(driver.find_element(By.CSS_SELECTOR, "#capform select")).select_by_value("memtest:run")
    wait_for(lambda: js("return document.querySelector('input[name=cap]') !== null;"), True, 10)
    say("capform", driver.current_url.split("?")[1])
    three = [macs["pc-0000"], macs["pc-0004"], macs["pc-0008"]]
    for m in three:
        driver.find_element(By.CSS_SELECTOR, 'input[name=m][value="%s"]' % m).click()
    driver.find_element(By.NAME, "max_boots").send_keys("2")
    driver.find_element(By.NAME, "expires").send_keys("3h")
    Select(driver.find_element(By.NAME, "reboot")).select_by_value("idle")
    driver.save_screenshot(shots + "/console-1-form.png")
    driver.find_element(By.CSS_SELECTOR, 'button[value=set]').click()
    wait_for(lambda: js("return document.getElementById('notice') !== null;"), True, 10)
    say("notice", js("return document.getElementById('notice').textContent;"))
    say("pending", ",".join(str(row_class(m)) for m in three))
    driver.save_screenshot(shots + "/console-2-pending.png")
    # The check-all box (the script) ticks every machine; untick again.
    js("document.getElementById('checkall').click();")
    say("checkall", js("return document.querySelectorAll('#machines tbody input:checked').length;"))
    js("document.getElementById('checkall').click();")
    # A destructive action on one machine: the confirmation, then its count.
    Select(driver.find_element(By.CSS_SELECTOR, "#capform select")).select_by_value("fakeinstall:install")
    wait_for(lambda: js("var c = document.querySelector('input[name=cap]');"
                        "return c === null ? null : c.value;"), "fakeinstall:install", 10)
    Select(driver.find_element(By.NAME, "o.disk")).select_by_value("sdb")
    driver.find_element(By.CSS_SELECTOR, 'input[name=m][value="%s"]' % macs["pc-0012"]).click()
    driver.find_element(By.CSS_SELECTOR, 'button[value=set]').click()
    wait_for(lambda: js("return document.getElementById('confirm') !== null;"), True, 10)
    say("confirm", js("return document.querySelector('#confirm .warn').textContent;"))
    driver.save_screenshot(shots + "/console-3-confirm.png")
    driver.find_element(By.CSS_SELECTOR, "#confirm button").click()
    wait_for(lambda: js("return document.getElementById('notice') !== null;"), True, 10)
    say("install", row_class(macs["pc-0012"]))
    # Boots through ipxe.cgi: the page's refresh shows them, no reload.
    href = driver.current_url
    subprocess.run(boot_cmd + [macs["pc-0004"]], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(boot_cmd + [macs["pc-0012"]], check=True, stdout=subprocess.DEVNULL)
    t0 = time.time()
    say("booted_memtest", wait_for(lambda: row_class(macs["pc-0004"]), "st-done", 15))
    say("booted_install", wait_for(lambda: row_class(macs["pc-0012"]), "st-booting", 15))
    say("live_ms", int((time.time() - t0) * 1000))
    # The states the script renders from console.json (English there) in the page's French.
    cells = "var td = document.querySelector('tr[data-mac=\"%s\"]').children; return td[td.length - 13 + %d].textContent;"
    say("booted_state_text", wait_for(lambda: js(cells % (macs["pc-0012"], 4)), "en démarrage", 15))
    say("booted_event_text", js(cells % (macs["pc-0012"], 7)))
    say("reloaded", int(driver.current_url != href))
    driver.save_screenshot(shots + "/console-4-booting.png")
    # Wake one machine without an action (the CLI's wol), then read pc-0012's history.
    js("var b = document.querySelectorAll('#machines tbody input[name=m]'); b[b.length - 1].click();")
    driver.find_element(By.NAME, "power_wol").click()
    driver.find_element(By.CSS_SELECTOR, 'button[value=power]').click()
    wait_for(lambda: js("var n = document.getElementById('notice');"
                        "return n !== null && n.textContent.indexOf('réveiller') >= 0;"), True, 10)
    say("power_notice", js("return document.getElementById('notice').textContent;"))
    Select(driver.find_element(By.NAME, "history")).select_by_value(macs["pc-0012"])
    driver.find_element(By.CSS_SELECTOR, "#history form button").click()
    wait_for(lambda: js("return document.querySelectorAll('#history tbody tr').length > 0;"), True, 10)
    say("history_rows", js("return document.querySelectorAll('#history tbody tr').length;"))
    say("history_who", js("return Array.from(document.querySelectorAll('#history tbody tr')).map("
                          "function (r) { return r.children[4].textContent; }).join(' ');"))
    driver.save_screenshot(shots + "/console-8-history.png")
    # A hostile message (a machine's report) and LDAP names render inert.
    say("hostile_img", js("return document.querySelectorAll('img').length;"))
    say("hostile_text", int("<img" in js("return document.body.textContent;")))
    driver.get(console + "/?parc=hostile")
    say("hostile_parc_rows", js("return document.querySelectorAll('#machines tbody tr').length;"))
    say("hostile_title", driver.title)
    say("pwned", js("return window.pwned === undefined ? 0 : 1;"))
    driver.save_screenshot(shots + "/console-5-hostile.png")
    # A POST without the token, from the page itself: refused.
    driver.get(console + "/?parc=salle-01")
    say("no_token", driver.execute_async_script(
        FETCH, {"parc": "salle-01", "op": "set", "cap": "memtest:run",
                "m": macs["pc-0020"]}, console + "/"))
    # Another site's form posting to the console with the admin's login.
    driver.get(attacker + "?target=" + console + "/")
    wait_for(lambda: driver.current_url.startswith(console), True, 10)
    say("foreign_origin", js("return document.querySelector('h2') === null ? '' :"
                             "document.querySelector('h2').textContent;"))
    driver.save_screenshot(shots + "/console-6-foreign.png")
    collect()
    # --- the delegated teacher ---------------------------------------------
    login("prof1", "prof1-pw")
    driver.get(console + "/")
    say("prof1_parcs", " ".join(js("return Array.from(document.querySelectorAll("
                                   "'#parcform option')).map(function (o) { return o.value; });")))
    driver.get(console + "/?parc=salle-03")
    say("prof1_view_boxes", js("return document.querySelectorAll('input[type=checkbox]').length;"))
    driver.get(console + "/?parc=salle-02")
    driver.save_screenshot(shots + "/console-7-prof1.png")
    tok = js("return document.querySelector('input[name=token]').value;")
    say("prof1_forged", driver.execute_async_script(
        FETCH, {"token": tok, "parc": "salle-01", "op": "set", "cap": "memtest:run",
                "m": macs["pc-0020"]}, console + "/"))
    say("prof1_own", driver.execute_async_script(
        FETCH, {"token": tok, "parc": "salle-02", "op": "set", "cap": "memtest:run",
                "m": macs["pc-0001"]}, console + "/"))
    collect()
    resources = js("return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    foreign = [r for r in resources if not r.startswith(origin + "/")]
    say("foreign", " ".join(foreign) if foreign else "none")
finally:
    try:
        collect()
    except Exception:
        pass
    driver.quit()
# Our own pages' console: no CSP report (markup that got parsed), no error
# but the refusals the test asked for (403) and the browser's favicon guess.
mine = [e for e in logs if "evil" not in e.get("message", "")]
csp = [e["message"] for e in mine if "Content Security Policy" in e["message"]
       or "Refused to" in e["message"]]
severe = [e["message"] for e in mine if e["level"] == "SEVERE"
          and "/favicon.ico" not in e["message"] and " 403 " not in e["message"]
          and "(Forbidden)" not in e["message"]]
say("csp", " | ".join(csp) if csp else "none")
say("severe", " | ".join(severe) if severe else "none")
