package evidence

// reportTemplates renders index.html. No script, no external reference: every
// link is relative to the kit's own folder.
const reportTemplates = `
{{define "head"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>Ringfence evidence kit · {{utc .CreatedAt}}</title>
<style>
body{font:15px/1.45 "Liberation Sans",Arial,Helvetica,sans-serif;color:#1b1f24;max-width:1100px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;border-bottom:2px solid #1b1f24;padding-bottom:4px;margin-top:40px}
h3{font-size:17px;margin:0 0 8px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #d8dde3}
th{background:#f2f4f7;font-weight:600}
code,.mono{font-family:"Liberation Mono",Consolas,monospace;font-size:12.5px;word-break:break-all}
.muted{color:#5b6470}.summary td:first-child{width:210px;color:#5b6470}
.yes{color:#0a6b2d;font-weight:700}.no{color:#a31515;font-weight:700}.stale{color:#8a5a00;font-weight:700}
.snapshot{border:1px solid #c9d0d8;border-radius:6px;padding:14px;margin:18px 0;page-break-inside:avoid}
.snapshot .top{display:flex;gap:16px;align-items:flex-start}
.snapshot .shot{flex:0 0 320px}.snapshot .shot img{width:320px;border:1px solid #c9d0d8}
.snapshot .facts{flex:1;min-width:0}
.nothumb{width:320px;height:80px;display:flex;align-items:center;justify-content:center;background:#f2f4f7;color:#5b6470;border:1px dashed #c9d0d8}
ol.timeline{list-style:none;padding:0;border-left:3px solid #c9d0d8;margin-left:8px}
ol.timeline li{position:relative;padding:4px 0 8px 16px}
ol.timeline li:before{content:"";position:absolute;left:-8px;top:9px;width:12px;height:12px;border-radius:50%;background:#5b6470}
ol.timeline li.snap:before{background:#1f5fbf}ol.timeline li.warn:before{background:#d99a00}
ol.timeline li.bad:before{background:#c62828}ol.timeline li.ok:before{background:#2e7d32}
tr.bad td{background:#fdecec}tr.ok td{background:#eef8ef}
pre{background:#f2f4f7;padding:10px;overflow-x:auto;font-size:12.5px}
@media print{body{max-width:none}a{color:inherit}}
</style>
</head>
<body>
<header>
<h1>Ringfence evidence kit</h1>
<p class="muted">A local record of OpenAI account pages captured by the Ringfence browser extension. Open any file below; nothing here needs a network connection or a program from Ringfence.</p>
<table class="summary">
<tr><td>Kit created</td><td>{{utc .CreatedAt}}</td></tr>
<tr><td>Created by</td><td>ringfence {{.HostVersion}}</td></tr>
<tr><td>Snapshots</td><td id="snapshot-count">{{.Snapshots}}</td></tr>
<tr><td>Selection</td><td>{{if not .Filter.Since.IsZero}}since {{utc .Filter.Since}} {{end}}{{if not .Filter.Until.IsZero}}until {{utc .Filter.Until}} {{end}}{{if .Filter.Categories}}categories {{join .Filter.Categories}} {{end}}{{if .Filter.IDs}}snapshots {{join .Filter.IDs}}{{end}}{{if and .Filter.Since.IsZero .Filter.Until.IsZero (not .Filter.Categories) (not .Filter.IDs)}}all snapshots{{end}}</td></tr>
<tr><td>Events in the log</td><td>{{.Chain.Count}}{{if .Chain.Count}} (seq {{.Chain.FirstSeq}}–{{.Chain.LastSeq}}){{end}}</td></tr>
<tr><td>Event chain head</td><td class="mono">{{dash .Chain.Head}}</td></tr>
<tr><td>Signing key fingerprint</td><td class="mono" id="fingerprint">{{.Key.Fingerprint}}</td></tr>
</table>
<p><a href="#checklist">Checklist</a> · <a href="#timeline">Timeline</a> · <a href="#snapshots">Snapshots</a> · <a href="#events">Event log</a> · <a href="#verify">How to verify</a></p>
</header>

<section id="checklist">
<h2>Evidence checklist</h2>
<table>
<tr><th>Category</th><th>Covered</th><th>Newest snapshot</th><th>What to capture next</th></tr>
{{range .Checklist}}{{if .First}}<tr class="identity" data-identity="{{.Identity}}"><th colspan="4">Identity: {{.Identity}}</th></tr>
{{end}}<tr class="check" data-category="{{.ID}}" data-identity="{{.Identity}}">
<td>{{.Title}}<br><span class="muted mono">{{.ID}}</span></td>
<td>{{if .Covered}}<span class="yes">Yes</span> ({{.Count}}){{if .Stale}}<br><span class="stale">old</span>{{end}}{{else}}<span class="no">No</span>{{end}}</td>
<td>{{with .Newest}}<a href="#snap-{{.ID}}">{{utc .CapturedAt}}</a><br><span class="muted">{{dash .Title}}</span>{{else}}—{{end}}</td>
<td>{{.NextSteps}}</td></tr>
{{end}}</table>
</section>

<section id="timeline">
<h2>Timeline</h2>
<p class="muted">Snapshots and the warnings Ringfence showed, oldest first, with what the user did.</p>
<ol class="timeline">
{{range .Timeline}}<li class="{{.Class}}"><span class="mono">{{utc .At}}</span> — <a href="#{{.Anchor}}">{{.Text}}</a><br><span class="muted">{{.Sub}}</span></li>
{{else}}<li>Nothing recorded.</li>
{{end}}</ol>
</section>

<section id="snapshots">
<h2>Snapshots</h2>
<p class="muted">Newest first. Every file is listed with its SHA-256; the same hashes are in manifest.json and SHA256SUMS.</p>
{{end}}

{{define "snapshot"}}<article class="snapshot" id="snap-{{.ID}}" data-snapshot-id="{{.ID}}">
<h3>{{dash .Title}}</h3>
<div class="top">
<div class="shot">{{if .Thumb}}<a href="{{.Screenshot}}"><img loading="lazy" src="{{.Thumb}}" alt="Screenshot of {{.URL}}"></a>{{else if .Screenshot}}<a href="{{.Screenshot}}"><img loading="lazy" src="{{.Screenshot}}" alt="Screenshot of {{.URL}}"></a>{{else}}<div class="nothumb">No screenshot{{with index .Notes "screenshot"}}: {{.}}{{end}}</div>{{end}}</div>
<div class="facts"><table>
<tr><th>Snapshot</th><td class="mono">{{.ID}}</td></tr>
<tr><th>URL</th><td class="mono">{{.URL}}</td></tr>
{{if and .FinalURL (ne .FinalURL .URL)}}<tr><th>Final URL</th><td class="mono">{{.FinalURL}}</td></tr>{{end}}
<tr><th>Captured (UTC)</th><td>{{utc .CapturedAt}}</td></tr>
<tr><th>Captured (local)</th><td>{{local .CapturedAt .TZOffsetMinutes}}</td></tr>
<tr><th>Trigger</th><td>{{dash .Trigger}}</td></tr>
<tr><th>Category</th><td>{{cat .Category}}{{if .CategorySource}} <span class="muted">({{.CategorySource}})</span>{{end}}</td></tr>
<tr><th>Browser</th><td>{{dash .Browser}} {{.BrowserVersion}}; viewport {{.ViewportWidth}}×{{.ViewportHeight}} @{{.DevicePixelRatio}}x; {{dash .Language}}</td></tr>
<tr><th>Versions</th><td>extension {{dash .ExtensionVersion}}, host {{dash .HostVersion}}</td></tr>
<tr><th>Stored</th><td>{{utc .StoredAt}}</td></tr>
{{if .Redactions}}<tr><th>Redacted</th><td>{{range .Redactions}}{{.Count}} × {{.Rule}}{{if .Artifact}} in {{.Artifact}}{{end}}<br>{{end}}</td></tr>{{end}}
{{range $k, $v := .Notes}}<tr><th>Note: {{$k}}</th><td>{{$v}}</td></tr>{{end}}
</table></div>
</div>
<h4>Files</h4>
<table><tr><th>File</th><th>Type</th><th>Size</th><th>SHA-256</th></tr>
{{range .Artifacts}}<tr><td><a href="{{.Path}}">{{.Name}}</a></td><td>{{.MIME}}</td><td>{{size .Size}}</td><td class="mono">{{.SHA256}}</td></tr>
{{end}}<tr><td><a href="{{.Dir}}meta.json">meta.json</a></td><td>application/json</td><td colspan="2" class="muted">this snapshot's metadata</td></tr>
</table>
{{if .HasSettings}}<h4>Settings on the page</h4>
<table class="settings"><tr><th>Section</th><th>Setting</th><th>State / value</th></tr>
{{range .Settings}}<tr><td class="muted">{{.Section}}</td><td>{{.Label}}</td><td>{{.Value}}</td></tr>
{{end}}</table>{{else if .SettingsErr}}<p class="muted">Settings: {{.SettingsErr}}</p>{{end}}
</article>
{{end}}

{{define "middle"}}</section>

<section id="events">
<h2>Event log</h2>
<p class="muted">Every warning Ringfence showed and what the user did next, from the host's append-only log. Each event's hash covers the previous one, so no event can be removed, changed or reordered without breaking the chain (see events.jsonl).</p>
<table>
<tr><th>Seq</th><th>Time (UTC)</th><th>Event</th><th>Rule / URL</th><th>Detail</th><th>Hash</th></tr>
{{end}}

{{define "event"}}<tr id="ev-{{.Seq}}" class="{{evclass .Type}}"><td>{{.Seq}}</td><td class="mono">{{utc .At}}</td><td><code>{{.Type}}</code>{{with words .Type}}<br>{{.}}{{end}}</td><td><span class="mono">{{.RuleID}}</span><br><span class="mono muted">{{.URL}}</span></td><td class="mono">{{json .Detail}}</td><td class="mono" title="{{.Hash}}">{{short .Hash}}</td></tr>
{{end}}

{{define "tail"}}</table>
{{if not .Chain.Count}}<p>The event log is empty.</p>{{end}}
</section>

<section id="verify">
<h2>How to verify this kit</h2>
<p>Anyone can check that no file was changed, added or removed since the kit was made, with standard tools. Unzip the kit into an empty folder and run, in that folder:</p>
<ol>
<li><strong>Every file's hash</strong> (GNU coreutils): <pre>sha256sum -c SHA256SUMS</pre> Every line must say OK. Files not listed in SHA256SUMS other than SHA256SUMS itself must not exist.</li>
<li><strong>The signature</strong> over manifest.json (OpenSSL 3): <pre>openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.json.sig</pre> It must print “Signature Verified Successfully”. Then compare the key's fingerprint with the one the owner gave you out of band: <pre>openssl pkey -pubin -in public-key.pem -outform DER | tail -c 32 | sha256sum</pre> must print <span class="mono">{{.Key.Fingerprint}}</span> (without “SHA256:”).</li>
<li><strong>The manifest</strong>: manifest.json lists every file with its size and SHA-256; the signature covers it, so a matching SHA256SUMS that disagrees with the manifest means tampering.</li>
<li><strong>The event chain</strong>: events.jsonl has one event per line; <code>seq</code> counts 1, 2, 3…; the first <code>prev_hash</code> is 64 zeros and every other equals the previous line's <code>hash</code>; each <code>hash</code> is
<pre>hex(SHA-256("ringfence-event-v1\n" ‖ f(prev_hash) ‖ f(seq) ‖ f(at) ‖ f(type) ‖ f(rule_id) ‖ f(url) ‖ f(detail)))
f(x) = decimal byte length of x ‖ ":" ‖ x ‖ "\n"</pre>
with <code>seq</code> in decimal, <code>at</code> as UTC <code>YYYY-MM-DDTHH:MM:SS.mmmZ</code>, and <code>detail</code> the JSON exactly as written in the line (<code>null</code> when absent). The last hash must equal the manifest's event chain head <span class="mono">{{dash .Chain.Head}}</span>. Ringfence's documentation (docs/evidence-kit.md) has a ready-made Python script.</li>
<li>Or, with Ringfence installed: <pre>ringfence verify THIS-KIT.zip</pre> which does all of the above and names every file with a problem.</li>
</ol>
</section>
<footer class="muted"><p>Generated by ringfence {{.HostVersion}} at {{utc .CreatedAt}}. Kit format {{"ringfence-evidence-kit"}} version 1.</p></footer>
</body>
</html>
{{end}}
`
