package evidence

// reportHTML renders the report (index.html in a kit, ringfence/report.html
// in a WACZ). No script, no external reference: every link is relative to
// the report's own folder. Every word a reader sees goes through "t" (and
// the other word functions), so the report comes in each of Languages;
// internal ids and JSON appear only inside "technical details" folds.
// Tokens that must not wrap (times, hashes, fingerprints) have class "tok".
const reportHTML = `
{{define "head"}}<!doctype html>
<html lang="{{t "lang"}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>{{t "title"}} · {{utc .CreatedAt}}</title>
<style>
body{font:15px/1.45 "Liberation Sans",Arial,Helvetica,"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;color:#1b1f24;max-width:1100px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;border-bottom:2px solid #1b1f24;padding-bottom:4px;margin-top:40px;break-after:avoid}
h3{font-size:17px;margin:0 0 8px}h4{break-after:avoid}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #d8dde3}
th{background:#f2f4f7;font-weight:600}tr{break-inside:avoid}
code,.mono,.tok{font-family:"Liberation Mono",Consolas,monospace;font-size:12px}
.tok{white-space:nowrap}.hash{font-size:11px}
.url{overflow-wrap:normal;word-break:normal}
.muted{color:#5b6470}.summary td:first-child{width:190px;color:#5b6470}
.yes{color:#0a6b2d;font-weight:700}.no{color:#a31515;font-weight:700}.stale{color:#8a5a00;font-weight:700}
.audit-action.high strong{color:#a31515}.audit-action.medium strong{color:#8a5a00}
.snapshot{border:1px solid #c9d0d8;border-radius:6px;padding:14px;margin:18px 0}
.snapshot .top{display:flex;gap:16px;align-items:flex-start;break-inside:avoid}
.snapshot .shot{flex:0 0 240px}.snapshot .shot img{width:240px;border:1px solid #c9d0d8}
.snapshot .facts{flex:1;min-width:0}
.nothumb{width:240px;height:80px;display:flex;align-items:center;justify-content:center;background:#f2f4f7;color:#5b6470;border:1px dashed #c9d0d8}
ol.timeline{list-style:none;padding:0;border-left:3px solid #c9d0d8;margin-left:8px}
ol.timeline li{position:relative;padding:4px 0 8px 16px;break-inside:avoid}
ol.timeline li:before{content:"";position:absolute;left:-8px;top:9px;width:12px;height:12px;border-radius:50%;background:#5b6470}
ol.timeline li.snap:before{background:#1f5fbf}ol.timeline li.warn:before{background:#d99a00}
ol.timeline li.bad:before{background:#c62828}ol.timeline li.ok:before{background:#2e7d32}
.limits li{margin-bottom:6px}
details{margin:4px 0}summary{color:#5b6470;cursor:pointer}
details pre,pre{background:#f2f4f7;padding:10px;overflow-x:auto;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
@page{size:auto;margin:14mm 12mm}
@media print{
 body{max-width:none;padding:0;font-size:11pt}
 a{color:inherit;text-decoration:none}
 nav{display:none}
 h2{margin-top:18pt}
 .snapshot{break-inside:auto;border:0;border-top:1px solid #c9d0d8;border-radius:0;padding:8pt 0}
 .snapshot .shot,.nothumb{flex-basis:45mm;width:45mm}.snapshot .shot img{width:45mm}
 .tok{font-size:8pt}.hash{font-size:7pt}
 th,td{padding:2pt 4pt}
 .summary td:first-child{width:40mm}
}
</style>
</head>
<body>
<header>
<h1>{{t "title"}}</h1>
<p class="muted">{{t "intro"}}</p>
<table class="summary">
<tr id="subject"><td>{{t "sum.account"}}</td><td>{{if .Accounts}}{{join .Accounts}}{{else}}<span class="muted">{{t "sum.account.none"}}</span>{{end}}</td></tr>
<tr><td>{{t "sum.created"}}</td><td><span class="tok">{{utc .CreatedAt}}</span></td></tr>
<tr><td>{{t "sum.snapshots"}}</td><td><span id="snapshot-count">{{.Snapshots}}</span>{{if not .First.IsZero}} · <span class="tok">{{utc .First}}</span> – <span class="tok">{{utc .Last}}</span>{{end}}</td></tr>
<tr><td>{{t "sum.selection"}}</td><td>{{if not .Filter.Since.IsZero}}{{t "sel.since"}} <span class="tok">{{utc .Filter.Since}}</span> {{end}}{{if not .Filter.Until.IsZero}}{{t "sel.until"}} <span class="tok">{{utc .Filter.Until}}</span> {{end}}{{range .Filter.Categories}}«{{tc . "title"}}» {{end}}{{if .Filter.IDs}}{{t "sel.ids" (len .Filter.IDs)}}{{end}}{{if and .Filter.Since.IsZero .Filter.Until.IsZero (not .Filter.Categories) (not .Filter.IDs)}}{{t "sel.all"}}{{end}}</td></tr>
<tr><td>{{t "sum.events"}}</td><td>{{.Chain.Count}}</td></tr>
<tr><td>{{t "sum.fingerprint"}}</td><td><span class="tok hash" id="fingerprint">{{.Key.Fingerprint}}</span></td></tr>
<tr><td>{{t "sum.timestamp"}}</td><td>{{t "sum.timestamp.none"}}</td></tr>
</table>
<nav><p><a href="#limits">{{t "nav.limits"}}</a> · <a href="#environment">{{t "nav.env"}}</a> · <a href="#checklist">{{t "nav.checklist"}}</a> · <a href="#timeline">{{t "nav.timeline"}}</a> · <a href="#snapshots">{{t "nav.snapshots"}}</a> · <a href="#events">{{t "nav.events"}}</a> · <a href="#verify">{{t "nav.verify"}}</a></p></nav>
</header>

<section id="limits">
<h2>{{t "limits.title"}}</h2>
<p><strong>{{t "limits.shows"}}</strong></p>
<ul class="limits">
<li>{{t "limits.shows.pages"}}</li>
<li>{{t "limits.shows.intact"}}</li>
<li>{{t "limits.shows.events"}}</li>
</ul>
<p><strong>{{t "limits.cannot"}}</strong></p>
<ul class="limits">
<li>{{t "limits.clock"}}</li>
<li>{{t "limits.display"}}</li>
<li>{{t "limits.who"}}</li>
<li>{{t "limits.redacted"}}{{if .Redacted}} {{t "limits.redacted.here"}} {{range $i, $r := .Redacted}}{{if $i}}, {{end}}{{$r.Count}} × {{rule $r.Rule}}{{end}}.{{else}} {{t "limits.redacted.none"}}{{end}}</li>
</ul>
</section>

<section id="environment">
<h2>{{t "env.title"}}</h2>
<table class="summary">
<tr><td>{{t "env.browser"}}</td><td>{{if .Browsers}}{{join .Browsers}}{{else}}—{{end}}</td></tr>
<tr><td>{{t "env.extension"}}</td><td>{{if .Extensions}}{{join .Extensions}}{{else}}—{{end}}</td></tr>
<tr><td>{{t "env.host"}}</td><td>ringfence {{.HostVersion}}</td></tr>
<tr><td>{{t "env.os"}}</td><td>{{.OS}}</td></tr>
<tr><td>{{t "env.tz"}}</td><td>{{range $i, $o := .Offsets}}{{if $i}}, {{end}}<span class="tok">{{offset $o}}</span>{{end}}{{if not .Offsets}}—{{end}} <span class="muted">({{t "env.tz.export"}} {{.ExportTZ}})</span></td></tr>
<tr><td>{{t "env.clock"}}</td><td>{{t "env.clock.unknown"}}</td></tr>
</table>
</section>

<section id="checklist">
<h2>{{t "check.title"}}</h2>
<table>
<tr><th>{{t "check.category"}}</th><th>{{t "check.covered"}}</th><th>{{t "check.newest"}}</th><th>{{t "check.next"}}</th></tr>
{{range .Checklist}}{{if .First}}<tr class="identity" data-identity="{{.Identity}}"><th colspan="4">{{t "check.identity"}} {{idname .Identity}}</th></tr>
{{end}}<tr class="check" data-category="{{.ID}}" data-identity="{{.Identity}}">
<td>{{tc .ID "title"}}</td>
<td>{{if .Covered}}<span class="yes">{{t "yes"}}</span> ({{.Count}}){{if .Stale}}<br><span class="stale">{{t "check.old"}}</span>{{end}}{{else}}<span class="no">{{t "no"}}</span>{{end}}</td>
<td>{{with .Newest}}<a href="#snap-{{.ID}}" class="tok">{{utc .CapturedAt}}</a><br><span class="muted">{{dash .Title}}</span>{{else}}—{{end}}</td>
<td>{{if not .Covered}}{{capture .Category}}{{else if .Stale}}{{t "check.stale"}} {{capture .Category}}{{else}}{{t "check.ok"}}{{end}}</td></tr>
{{end}}</table>
{{with .Audit}}<h3 id="audit" class="audit" data-audit-id="{{.ID}}">{{t "check.audit"}} <span class="tok">{{.ID}}</span></h3>
{{if .Actions}}<p>{{t "check.audit.intro" .ID (utc .FinishedAt)}}</p>
<ul class="audit-actions">
{{range .Actions}}<li class="audit-action {{.Severity}}" data-severity="{{.Severity}}"{{if .StepID}} data-step="{{.StepID}}"{{end}}><strong>{{t (printf "check.audit.%s" .Severity)}}</strong>: {{.Text}}</li>
{{end}}</ul>
{{else}}<p>{{t "check.audit.none" .ID (utc .FinishedAt)}}</p>
{{end}}{{end}}</section>

<section id="timeline">
<h2>{{t "timeline.title"}}</h2>
<p class="muted">{{t "timeline.intro"}}</p>
<ol class="timeline">
{{range .Timeline}}<li class="{{.Class}}"><span class="tok">{{utc .At}}</span> — {{if eq .Kind "snapshot"}}<a href="#{{.Anchor}}">{{t "timeline.snapshot"}}: {{dash .Title}}</a><br><span class="muted">{{tc .Cat "title"}} · <span class="url">{{url .URL}}</span></span>{{else}}<a href="#{{.Anchor}}">{{ev .Event}}</a>{{if .Rule}}<br><span class="muted">{{rule .Rule}}{{if .URL}} · <span class="url">{{url .URL}}</span>{{end}}</span>{{end}}{{end}}</li>
{{else}}<li>{{t "timeline.empty"}}</li>
{{end}}</ol>
</section>

<section id="snapshots">
<h2>{{t "snaps.title"}}</h2>
<p class="muted">{{t "snaps.intro"}}</p>
{{end}}

{{define "snapshot"}}<article class="snapshot" id="snap-{{.ID}}" data-snapshot-id="{{.ID}}">
<h3>{{dash .Title}}</h3>
<div class="top">
<div class="shot">{{if .Thumb}}{{if .Screenshot}}<a href="{{.Screenshot}}">{{end}}<img loading="lazy" src="{{.Thumb}}" alt="{{t "snap.shot"}}">{{if .Screenshot}}</a>{{end}}{{else if .Screenshot}}<a href="{{.Screenshot}}"><img loading="lazy" src="{{.Screenshot}}" alt="{{t "snap.shot"}}"></a>{{else}}<div class="nothumb">{{t "snap.noshot"}}</div>{{end}}</div>
<div class="facts"><table>
<tr><th>{{t "snap.page"}}</th><td class="url">{{url .URL}}</td></tr>
{{if and .FinalURL (ne .FinalURL .URL)}}<tr><th>{{t "snap.final"}}</th><td class="url">{{url .FinalURL}}</td></tr>{{end}}
<tr><th>{{t "snap.captured"}}</th><td><span class="tok">{{utc .CapturedAt}}</span><br><span class="muted">{{t "snap.local"}} <span class="tok">{{local .CapturedAt .TZOffsetMinutes}}</span></span></td></tr>
<tr><th>{{t "snap.how"}}</th><td>{{trig .Trigger}}</td></tr>
<tr><th>{{t "snap.category"}}</th><td>{{tc .Category "title"}}{{if eq .CategorySource "user"}} <span class="muted">({{t "snap.cat.user"}})</span>{{else if eq .CategorySource "auto"}} <span class="muted">({{t "snap.cat.auto"}})</span>{{end}}</td></tr>
<tr><th>{{t "snap.browser"}}</th><td>{{dash .Browser}} {{.BrowserVersion}}{{if .Language}} · {{t "snap.language"}} {{.Language}}{{end}}</td></tr>
{{if .Redactions}}<tr><th>{{t "snap.redacted"}}</th><td>{{range .Redactions}}{{.Count}} × {{rule .Rule}}<br>{{end}}</td></tr>{{end}}
</table></div>
</div>
<h4>{{t "snap.files"}}</h4>
<table><tr><th>{{t "snap.file"}}</th><th>{{t "snap.size"}}</th><th>SHA-256</th></tr>
{{range .Artifacts}}<tr><td>{{if .Path}}<a href="{{.Path}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td><td class="tok">{{size .Size}}</td><td><span class="tok hash">{{.SHA256}}</span></td></tr>
{{end}}</table>
{{if .HasSettings}}<h4>{{t "snap.settings"}}</h4>
<table class="settings"><tr><th>{{t "snap.section"}}</th><th>{{t "snap.setting"}}</th><th>{{t "snap.state"}}</th></tr>
{{range .Settings}}<tr><td class="muted">{{sec .Section}}</td><td>{{.Label}}</td><td>{{val .Value}}{{if .Kind}} <span class="muted">({{val .Kind}})</span>{{end}}</td></tr>
{{end}}</table>{{else if .SettingsErr}}<p class="muted">{{t "snap.settings"}}: {{.SettingsErr}}</p>{{end}}
<details><summary>{{t "details"}}</summary><table>
<tr><th>{{t "det.id"}}</th><td class="tok">{{.ID}}</td></tr>
<tr><th>{{t "det.stored"}}</th><td class="tok">{{utc .StoredAt}}</td></tr>
<tr><th>{{t "det.viewport"}}</th><td>{{.ViewportWidth}}×{{.ViewportHeight}} @{{.DevicePixelRatio}}x</td></tr>
<tr><th>{{t "det.versions"}}</th><td>extension {{dash .ExtensionVersion}}, host {{dash .HostVersion}}</td></tr>
<tr><th>{{t "det.raw"}}</th><td><code>trigger={{.Trigger}} category={{.Category}} category_source={{.CategorySource}}</code></td></tr>
{{range $k, $v := .Notes}}<tr><th><code>{{$k}}</code></th><td>{{$v}}</td></tr>{{end}}
{{range .Artifacts}}<tr><th><code>{{.Name}}</code></th><td>{{.MIME}}, {{.Size}} bytes</td></tr>{{end}}
{{if .Dir}}<tr><th>meta.json</th><td><a href="{{.Dir}}meta.json">{{.Dir}}meta.json</a></td></tr>{{end}}
</table></details>
</article>
{{end}}

{{define "middle"}}</section>

<section id="events">
<h2>{{t "events.title"}}</h2>
<p class="muted">{{t "events.intro"}}</p>
<table>
<tr><th>{{t "events.time"}}</th><th>{{t "events.what"}}</th><th>{{t "events.where"}}</th></tr>
{{end}}

{{define "event"}}<tr id="ev-{{.Seq}}" class="{{evclass .Type}}"><td><span class="tok">{{utc .At}}</span></td><td>{{ev .Type}}{{if .RuleID}}<br><span class="muted">{{rule .RuleID}}</span>{{end}}
<details><summary>{{t "details"}}</summary><pre>seq {{.Seq}} · {{.Type}}{{if .RuleID}} · {{.RuleID}}{{end}}
{{with json .Detail}}{{.}}
{{end}}hash {{.Hash}}</pre></details></td><td class="url">{{url .URL}}</td></tr>
{{end}}

{{define "tail"}}</table>
{{if not .Chain.Count}}<p>{{t "events.empty"}}</p>{{end}}
</section>

<section id="verify">
<h2>{{t "verify.title"}}</h2>
{{if .WACZ}}<p>{{t "verify.wacz"}}</p>
<pre>ringfence verify FILE.wacz --expect-fingerprint {{.Key.Fingerprint}}</pre>
<p>{{t "verify.wacz.fp"}}</p>
<pre>python3 -c 'import json,base64,sys;sys.stdout.buffer.write(base64.b64decode(json.load(open("datapackage-digest.json"))["signedData"]["publicKey"]))' | sha256sum</pre>
{{else}}<p>{{t "verify.intro"}}</p>
<ol>
<li><strong>{{t "verify.hashes"}}</strong> <pre>sha256sum --strict -c SHA256SUMS</pre> {{t "verify.hashes.ok"}}</li>
<li><strong>{{t "verify.sig"}}</strong> <pre>openssl dgst -sha256 -verify public-key.pem -signature manifest.json.sig manifest.json</pre> {{t "verify.sig.ok"}} <pre>openssl pkey -pubin -in public-key.pem -outform DER | sha256sum</pre> {{t "verify.fp"}} <span class="tok hash">{{.Key.Fingerprint}}</span></li>
<li><strong>{{t "verify.manifest"}}</strong> {{t "verify.manifest.text"}}</li>
<li><strong>{{t "verify.chain"}}</strong> {{t "verify.chain.text"}} <span class="tok hash">{{dash .Chain.Head}}</span></li>
<li><strong>{{t "verify.ts"}}</strong> {{t "verify.ts.text"}} <pre>openssl ts -verify -data manifest.json.sig -in timestamp.tsr -CAfile TSA-CA.pem</pre></li>
<li>{{t "verify.tool"}} <pre>ringfence verify THIS-KIT.zip --expect-fingerprint {{.Key.Fingerprint}}</pre></li>
</ol>{{end}}
</section>
<footer class="muted"><p>{{t "footer" .HostVersion}} <span class="tok">{{utc .CreatedAt}}</span>.</p></footer>
</body>
</html>
{{end}}
`
