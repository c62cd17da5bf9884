/// The console page's script, served at `/static/console.js`: an xterm.js terminal joined to the page's
/// WebSocket (`data-socket` on `#console`: the path with its one-use ticket). Keys typed go to the guest as
/// binary messages; what the guest writes is shown. The status line says when the console opens and why it
/// closed (the VM stopped or moved, another session took it, the login ended). What was shown is also kept in
/// `window.pvcConsoleTranscript` (the last 64 KiB), for tests and copying.
enum ConsoleScript {
  static let js = """
    (function () {
      var box = document.getElementById("console");
      var status = document.getElementById("console-status");
      if (!box || !status) return;
      if (!window.WebSocket || !window.Terminal || !window.TextDecoder) {
        status.textContent = "This browser cannot show the console (it needs WebSocket and xterm.js).";
        return;
      }
      var term = new Terminal({ cols: 100, rows: 30, cursorBlink: true, scrollback: 2000 });
      term.open(box);
      term.focus();
      window.pvcConsoleTranscript = "";
      var decoder = new TextDecoder("utf-8");
      var encoder = new TextEncoder();
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + box.getAttribute("data-socket"));
      socket.binaryType = "arraybuffer";
      socket.onopen = function () {
        status.textContent = "Connected. Keys typed here go to the VM.";
        document.documentElement.setAttribute("data-console", "open");
      };
      socket.onmessage = function (event) {
        var text = typeof event.data === "string" ? event.data : decoder.decode(new Uint8Array(event.data), { stream: true });
        term.write(text);
        window.pvcConsoleTranscript = (window.pvcConsoleTranscript + text).slice(-65536);
      };
      socket.onclose = function (event) {
        status.textContent = "The console is closed" + (event.reason ? ": " + event.reason : ".");
        document.documentElement.setAttribute("data-console", "closed");
      };
      function send(data) {
        if (socket.readyState === 1) socket.send(encoder.encode(data));
      }
      if (term.onData) term.onData(send); else term.on("data", send);
    })();
    """

  /// The graphical console page's module, served at `/static/vnc.mjs`: noVNC's RFB client on the page's WebSocket
  /// (`data-socket` on `#vnc`), scaled to the page; `data-vnc` on the document says `connected` or `closed`.
  static let vnc = """
    import RFB from "/static/novnc/core/rfb.js";
    const box = document.getElementById("vnc");
    const status = document.getElementById("vnc-status");
    if (box && status) {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      const rfb = new RFB(box, scheme + location.host + box.getAttribute("data-socket"));
      rfb.scaleViewport = true;
      rfb.addEventListener("connect", () => {
        status.textContent = "Connected. Keys and the mouse here go to the VM.";
        document.documentElement.setAttribute("data-vnc", "connected");
      });
      rfb.addEventListener("disconnect", (event) => {
        status.textContent = event.detail.clean ? "The console is closed." : "The console's connection was lost.";
        document.documentElement.setAttribute("data-vnc", "closed");
      });
      window.pvcVNC = rfb;
    }
    """
}
