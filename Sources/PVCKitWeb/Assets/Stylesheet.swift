/// The web UI's one stylesheet, served at `/static/pvc.css`: readable in a
/// narrow window, visible focus, colours that do not carry meaning alone.
enum Stylesheet {
  static let css = """
    :root { --fg: #1d2430; --muted: #5b6472; --bg: #f6f7f9; --card: #fff; --line: #d8dce3; --accent: #1f5fbf;
      --good: #1c7c3c; --bad: #b3261e; --busy: #8a5a00; font-family: system-ui, sans-serif; color: var(--fg); }
    body { margin: 0; background: var(--bg); line-height: 1.45; }
    header nav { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #1d2430; flex-wrap: wrap; }
    header nav a, header nav .brand, header nav button.link { color: #fff; text-decoration: none; }
    header nav .brand { font-weight: 700; margin-right: 1rem; }
    .right { margin-left: auto; }
    main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
    footer { color: var(--muted); font-size: .8rem; padding: 1rem; text-align: center; }
    h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
    h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
    table { border-collapse: collapse; width: 100%; background: var(--card); }
    th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
    thead th { background: #eef0f4; }
    a { color: var(--accent); }
    a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f0b400; outline-offset: 1px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: .8rem; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .8rem; }
    .card h2 { margin: 0 0 .3rem; font-size: .9rem; color: var(--muted); }
    .narrow { max-width: 360px; display: grid; gap: .5rem; }
    .big { font-size: 1.6rem; font-weight: 700; margin: 0; }
    .good { color: var(--good); } .bad { color: var(--bad); } .busy { color: var(--busy); }
    .badge { display: inline-block; padding: 0 .45rem; border-radius: 9px; border: 1px solid currentColor; font-size: .85rem; }
    .badge.neutral { color: var(--muted); }
    .meter, .spark { display: inline-flex; gap: .5rem; align-items: center; margin: .2rem 1rem .2rem 0; }
    .meter .track { fill: #e3e6ec; } .meter .fill { fill: var(--accent); } .meter .fill.high { fill: var(--bad); }
    .spark .line { fill: none; stroke: var(--accent); stroke-width: 1.5; }
    figcaption { font-size: .85rem; color: var(--muted); }
    form.inline { display: inline; }
    form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: .6rem; }
    label { display: inline-flex; flex-direction: column; font-size: .85rem; gap: .15rem; }
    input, select, button { font: inherit; padding: .25rem .5rem; }
    button { cursor: pointer; border: 1px solid var(--line); background: #fff; border-radius: 4px; margin: .1rem; }
    button.danger { background: var(--bad); color: #fff; }
    button.link { background: none; border: none; text-decoration: underline; }
    .flash { background: #e8f1ff; border: 1px solid #b7cff5; padding: .5rem; border-radius: 4px; }
    .error { background: #fdecea; border: 1px solid #f3b7b1; padding: .5rem; border-radius: 4px; }
    .muted { color: var(--muted); }
    pre { background: #10151d; color: #e6e9ef; padding: .6rem; overflow: auto; max-height: 24rem; font-size: .8rem; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
    dl.facts dt { color: var(--muted); }
    .pager { display: flex; gap: 1rem; margin: .6rem 0; }
    .sr { position: absolute; left: -9999px; }
    .vnc { width: 100%; height: 70vh; background: #000; }
    .tasks { border: 1px solid #cbd5e1; border-radius: 4px; padding: .3rem .8rem; margin: .6rem 0; }
    .tasks ul { list-style: none; margin: 0; padding: 0; }
    @media (max-width: 640px) { th, td { padding: .25rem; font-size: .85rem; } main { padding: .5rem; } }
    """
}
