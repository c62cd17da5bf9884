#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol, for the web UI's browser
tests, and saves a PNG screenshot of each step.

Scenario "pages" (the default): logs in, opens every page (two clusters in one
overview among them), stops a VM through
the UI (with its confirmation), sees the page update itself when the VM is
started behind its back.
Scenario "console" (a running VM with a shell on its serial console): opens the
VM's console from its page, types a command into the terminal and reads the
guest's answer; opens its graphical console (noVNC) and sees a frame; then
migrates the VM to TARGET behind the page's back and watches its page follow
the migration without reloading.

Usage: browser.py BASE_URL TOKEN VM OUTPUT_DIR DEBUG_PORT [pages | console TARGET]
Prints a JSON object of what it saw. Chromium listens on 127.0.0.1 only."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

base, token, vm, outdir, port = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
scenario = sys.argv[6] if len(sys.argv) > 6 else "pages"
target = sys.argv[7] if len(sys.argv) > 7 else ""
os.makedirs(outdir, exist_ok=True)
profile = tempfile.mkdtemp(prefix="pvckit-chromium-")
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
browser = subprocess.Popen(
    [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
     "--disable-background-networking", "--disable-sync", "--disable-component-update",
     f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
     "--window-size=1280,900", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
results = {}
try:
    targets = None
    for _ in range(600):
        try:
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=1))
            if any(t["type"] == "page" for t in targets):
                break
        except Exception:
            pass
        time.sleep(0.1)
    page = next(t for t in targets if t["type"] == "page")
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=120)
    counter = [0]

    def call(method, **params):
        counter[0] += 1
        ws.send(json.dumps({"id": counter[0], "method": method, "params": params}))
        while True:
            message = json.loads(ws.recv())
            if message.get("id") == counter[0]:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(expression):
        return call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    def settled(previous):
        for _ in range(1200):
            try:
                origin = evaluate("performance.timeOrigin")
                if origin != previous and evaluate("document.readyState") == "complete":
                    return
            except Exception:
                pass
            time.sleep(0.05)
        raise RuntimeError("the page did not load")

    def navigate(url):
        previous = evaluate("performance.timeOrigin")
        call("Page.navigate", url=url)
        settled(previous)

    def act(expression):
        previous = evaluate("performance.timeOrigin")
        evaluate(expression)
        settled(previous)

    def shot(name):
        data = call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(outdir, f"{name}.png"), "wb") as file:
            file.write(base64.b64decode(data))

    def text():
        return evaluate("document.body.innerText") or ""

    def wait_for(expression, seconds):
        for _ in range(int(seconds * 20)):
            if evaluate(expression):
                return True
            time.sleep(0.05)
        return False

    def key(character):
        if character == "\r":
            params = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}
        else:
            params = {"key": character, "text": character, "unmodifiedText": character}
        call("Input.dispatchKeyEvent", type="keyDown", **params)
        call("Input.dispatchKeyEvent", type="keyUp", **{k: v for k, v in params.items() if k != "text"})

    def follow_migration():
        # The VM's page follows /events; the VM is migrated behind its back (a fetch, no navigation).
        navigate(f"{base}/vms/{vm}")
        results["live_script"] = wait_for("document.documentElement.getAttribute('data-live') === 'on'", 10)
        origin = evaluate("performance.timeOrigin")
        csrf = evaluate("document.querySelector('input[name=csrf]').value")
        evaluate("fetch('/vms/' + encodeURIComponent(%s) + '/action', {method: 'POST', redirect: 'manual', "
                 "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, "
                 "body: 'action=migrate&target=' + encodeURIComponent(%s) + '&confirm=yes&csrf=' + "
                 "encodeURIComponent(%s)})" % (json.dumps(vm), json.dumps(target), json.dumps(csrf)))
        # The facts list shows the migration (state, then the new node) as it happens.
        seen = set()
        def fact(name):
            return evaluate("(function () { var dt = [...document.querySelectorAll('dl.facts dt')]"
                            ".find(function (d) { return d.textContent.trim() === %s; });"
                            " return dt ? dt.nextElementSibling.innerText.trim() : ''; })()" % json.dumps(name))
        for _ in range(1200):
            state, node = fact("State"), fact("Node")
            if state == "migrate":
                seen.add("migrating")
            if node == target and state == "start":
                seen.add("arrived")
                break
            time.sleep(0.05)
        results["migration_followed"] = "arrived" in seen and evaluate("performance.timeOrigin") == origin
        results["migration_steps"] = sorted(seen)
        shot("3-migrated")

    if scenario == "console":
        navigate(f"{base}/login")
        act(f"document.getElementById('token').value = {json.dumps(token)}; document.querySelector('main form').submit()")
        navigate(f"{base}/vms/{vm}")
        act("[...document.querySelectorAll('a')].find(a => a.textContent.includes('serial console')).click()")
        results["console_page"] = "Console of" in text()
        results["console_open"] = wait_for("document.documentElement.getAttribute('data-console') === 'open'", 20)
        evaluate("document.querySelector('#console textarea') && document.querySelector('#console textarea').focus()")
        answered = False
        for _ in range(10):
            for character in "echo pvc$((6*7))-browser\r":
                key(character)
            if wait_for("(window.pvcConsoleTranscript || '').indexOf('pvc42-browser') >= 0", 3):
                answered = True
                break
        results["console_answer"] = answered
        results["console_rendered"] = "pvc42-browser" in (evaluate(
            "[...document.querySelectorAll('#console .xterm-rows > div, #console canvas')].length > 0 "
            "? (window.pvcConsoleTranscript || '') : ''") or "")
        shot("1-console")
        # The graphical console: noVNC connects through pvcweb and draws the VM's screen (more than one colour).
        navigate(f"{base}/vms/{vm}")
        act("[...document.querySelectorAll('a')].find(a => a.textContent.includes('graphical console')).click()")
        results["vnc_connected"] = wait_for("document.documentElement.getAttribute('data-vnc') === 'connected'", 20)
        colours = 0
        for _ in range(100):
            colours = evaluate(
                "(function () { var c = document.querySelector('#vnc canvas'); if (!c || !c.width) return 0;"
                " var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = {}, n = 0;"
                " for (var i = 0; i < d.length; i += 4 * 31) { var k = d[i] + ',' + d[i + 1] + ',' + d[i + 2];"
                " if (!seen[k]) { seen[k] = 1; n++; } } return n; })()") or 0
            if colours >= 2:
                break
            time.sleep(0.2)
        results["vnc_frame"] = colours >= 2
        shot("2-vnc")
        follow_migration()
        ws.close()
        raise SystemExit
    navigate(f"{base}/login")
    shot("1-login")
    results["login_form"] = "API token" in text()
    act(f"document.getElementById('token').value = {json.dumps(token)}; document.querySelector('main form').submit()")
    results["overview"] = "Health" in text() and "Resources" in text()
    shot("2-overview")
    # Every cluster this UI shows, at a glance (the test gives it a second cluster).
    navigate(f"{base}/clusters")
    results["clusters"] = evaluate("document.querySelectorAll('main table tbody tr').length") == 2 and \
        "unreachable" not in text()
    shot("2b-clusters")
    navigate(f"{base}/nodes")
    results["nodes"] = "hv1" in text()
    shot("3-nodes")
    navigate(f"{base}/vms")
    results["vms"] = vm in text()
    shot("4-vms")
    navigate(f"{base}/vms/{vm}")
    results["vm"] = "Console log" in text()
    shot("5-vm")
    act("[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Stop').click()")
    results["confirmation"] = "Really stop VM" in text()
    shot("6-confirm")
    act("[...document.querySelectorAll('button')].find(b => b.textContent.trim().startsWith('Yes')).click()")
    results["stopped"] = f'Forcibly stopping VM "{vm}".' in text()
    shot("7-stopped")
    # Live update: the VM is started behind the page's back (a fetch, no navigation); the page follows /events
    # and shows it in place, without reloading.
    origin = evaluate("performance.timeOrigin")
    for _ in range(200):
        if evaluate("document.documentElement.getAttribute('data-live')") == "on":
            break
        time.sleep(0.05)
    results["live_script"] = evaluate("document.documentElement.getAttribute('data-live')") == "on"
    csrf = evaluate("document.querySelector('input[name=csrf]').value")
    evaluate("fetch('/vms/' + encodeURIComponent(%s) + '/action', {method: 'POST', redirect: 'manual', "
             "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, "
             "body: 'action=start&csrf=' + encodeURIComponent(%s)})" % (json.dumps(vm), json.dumps(csrf)))
    updated = False
    for _ in range(400):
        if evaluate("document.documentElement.hasAttribute('data-live-updated')"):
            updated = True
            break
        time.sleep(0.05)
    results["live_update"] = updated and evaluate("performance.timeOrigin") == origin
    shot("8-live")
    ws.close()
except SystemExit:
    pass
except Exception as error:
    results["error"] = str(error)
finally:
    browser.terminate()
    try:
        browser.wait(10)
    except Exception:
        browser.kill()
    shutil.rmtree(profile, ignore_errors=True)
print(json.dumps(results))
