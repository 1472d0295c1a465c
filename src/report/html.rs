//! The HTML report: one self-contained page (inline CSS, inline SVG charts, a small inline script,
//! and a Content-Security-Policy that forbids every network fetch). It shows the totals by
//! compliance type and by severity, a stacked bar per rule and per account and region, then the
//! failing findings (NON_COMPLIANT and INSUFFICIENT_DATA) with annotation, evidence and
//! remediation, marked when muted or new, filterable by rule, severity, account and status. With
//! a baseline it lists the resolved findings; with mutes, the expired and unused ones.
//!
//! Secret names, tags and annotations are attacker-controlled: every text and attribute goes
//! through [`escape`], and the script only reads `data-` attributes of the page (no data is ever
//! embedded in script text). Without JavaScript every finding stays visible.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::baseline::Change;
use super::{Report, RuleCounts, timestamp_text};
use crate::findings::{ComplianceType, Severity};

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Informational,
];

/// The colour of each compliance type in the charts.
fn colour(compliance: ComplianceType) -> &'static str {
    match compliance {
        ComplianceType::Compliant => "#2e7d32",
        ComplianceType::NonCompliant => "#c62828",
        ComplianceType::NotApplicable => "#9e9e9e",
        ComplianceType::InsufficientData => "#ef6c00",
    }
}

/// Escapes text for HTML element content and quoted attributes. Control characters other than
/// line breaks and tabs are shown as `\u{…}`, NUL included.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r##"
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;background:#f6f7f9}
body{margin:0;padding:24px 32px;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta{color:#555;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:150px;box-shadow:0 1px 2px rgba(0,0,0,.12);border-top:4px solid #999}
.card .n{font-size:28px;font-weight:600}.card .l{font-size:12px;color:#555;text-transform:uppercase;letter-spacing:.04em}
.card.COMPLIANT{border-color:#2e7d32}.card.NON_COMPLIANT{border-color:#c62828}.card.NOT_APPLICABLE{border-color:#9e9e9e}.card.INSUFFICIENT_DATA{border-color:#ef6c00}
.card.extra{border-color:#3949ab}
.panel{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.12);overflow-x:auto}
.legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
svg text{font-size:12px;fill:#1a1a1a}
table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{background:#eceff3;position:sticky;top:0}
td.arn{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11px;color:#444;word-break:break-all}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:1px 6px;border-radius:10px;margin:0 4px 2px 0;color:#fff;white-space:nowrap}
.sev-critical{background:#6a1b9a}.sev-high{background:#c62828}.sev-medium{background:#ef6c00}.sev-low{background:#1565c0}.sev-informational{background:#607d8b}
.st-NON_COMPLIANT{background:#c62828}.st-INSUFFICIENT_DATA{background:#ef6c00}
.muted-badge{background:#546e7a}.new-badge{background:#00897b}.changed-badge{background:#3949ab}
tr.is-muted td{opacity:.7}
details{margin-top:4px}summary{cursor:pointer;color:#1565c0}
pre{white-space:pre-wrap;word-break:break-word;background:#f3f4f6;padding:6px;border-radius:4px;font-size:11px;margin:4px 0}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin-bottom:10px}
.filters label{font-size:12px;color:#555;display:flex;flex-direction:column;gap:2px}
select{font-size:13px;padding:3px}
#shown{font-size:13px;color:#333}
.empty{color:#555;font-style:italic}
"##;

/// The script: reads the filters, shows the matching rows, counts them. Initial filter values
/// may come from the URL fragment (`#rule=…&severity=…&account=…&status=…`).
const SCRIPT: &str = r##"
(function(){
  "use strict";
  var keys=["rule","severity","account","status"];
  var rows=Array.prototype.slice.call(document.querySelectorAll("#findings tbody tr.finding"));
  function value(key){return document.getElementById("f-"+key).value;}
  function apply(){
    var shown=0;
    rows.forEach(function(row){
      var ok=keys.every(function(key){
        var want=value(key);
        if(want===""){return true;}
        if(key==="status"&&want==="muted"){return row.getAttribute("data-muted")==="yes";}
        if(key==="status"&&want==="new"){return row.getAttribute("data-change")==="new";}
        return row.getAttribute("data-"+key)===want;
      });
      row.hidden=!ok;
      if(ok){shown+=1;}
    });
    var out=document.getElementById("shown");
    out.textContent=shown+" of "+rows.length+" failing findings shown";
    out.setAttribute("data-shown",String(shown));
  }
  var hash=decodeURIComponent(location.hash.replace(/^#/,""));
  hash.split("&").forEach(function(part){
    var i=part.indexOf("=");
    if(i<0){return;}
    var key=part.slice(0,i),val=part.slice(i+1),select=document.getElementById("f-"+key);
    if(select&&keys.indexOf(key)>=0){select.value=val;}
  });
  keys.forEach(function(key){document.getElementById("f-"+key).addEventListener("change",apply);});
  apply();
  document.documentElement.setAttribute("data-script","ok");
})();
"##;

/// Renders the report as one HTML page ending with a newline.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024 + report.findings.len() * 600);
    let totals = report.totals();
    let title = match &report.run.snapshot {
        Some(snapshot) => format!("secaudit report: account {}", snapshot.account_id),
        None => format!("secaudit report: {} accounts", report.run.accounts.len()),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<h1>{}</h1>\n",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        escape(&title),
        escape(&title)
    );
    write_meta(&mut out, report);
    write_cards(&mut out, report, totals);
    write_severity_chart(&mut out, report);
    write_rule_chart(&mut out, report);
    write_location_chart(&mut out, report);
    write_findings(&mut out, report);
    write_resolved(&mut out, report);
    write_mute_lists(&mut out, report);
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

fn write_meta(out: &mut String, report: &Report) {
    let evaluated = timestamp_text(&report.run.evaluated_at);
    out.push_str("<p class=\"meta\">");
    match &report.run.snapshot {
        Some(snapshot) => {
            let _ = write!(
                out,
                "Account {} · snapshot collected {} · evaluated {}",
                escape(&snapshot.account_id),
                timestamp_text(&snapshot.collected_at),
                evaluated
            );
        }
        None => {
            let accounts: Vec<String> = report
                .run
                .accounts
                .iter()
                .map(|account| escape(&account.account_id))
                .collect();
            let _ = write!(
                out,
                "Accounts {} · evaluated {}",
                accounts.join(", "),
                evaluated
            );
        }
    }
    let _ = writeln!(
        out,
        " · {} findings from {} rules</p>",
        report.findings.len(),
        report.rules.len()
    );
}

fn write_cards(out: &mut String, report: &Report, totals: RuleCounts) {
    out.push_str("<section id=\"totals\" class=\"cards\">\n");
    for compliance in ComplianceType::ALL {
        let _ = writeln!(
            out,
            "<div class=\"card {name}\"><div class=\"n\" data-count=\"{name}\">{count}</div>\
             <div class=\"l\">{label}</div></div>",
            name = compliance.as_str(),
            count = totals.get(compliance),
            label = compliance.as_str().replace('_', " ").to_lowercase()
        );
    }
    if report.lifecycle.mutes.is_some() {
        let muted = report.lifecycle.muted.iter().flatten().count();
        let _ = writeln!(
            out,
            "<div class=\"card extra\"><div class=\"n\" data-count=\"muted\">{muted}</div>\
             <div class=\"l\">muted</div></div>"
        );
    }
    if let Some(resolved) = &report.lifecycle.resolved {
        let new = report
            .lifecycle
            .changes
            .iter()
            .zip(&report.findings)
            .filter(|(change, finding)| {
                **change != Change::Unchanged
                    && finding.compliance_type == ComplianceType::NonCompliant
            })
            .count();
        let _ = writeln!(
            out,
            "<div class=\"card extra\"><div class=\"n\" data-count=\"new-failing\">{new}</div>\
             <div class=\"l\">new or changed failing</div></div>\n\
             <div class=\"card extra\"><div class=\"n\" data-count=\"resolved\">{}</div>\
             <div class=\"l\">resolved</div></div>",
            resolved.len()
        );
    }
    out.push_str("</section>\n");
}

fn legend(out: &mut String) {
    out.push_str("<p class=\"legend\">");
    for compliance in ComplianceType::ALL {
        let _ = write!(
            out,
            "<span><i style=\"background:{}\"></i>{}</span>",
            colour(compliance),
            compliance.as_str()
        );
    }
    out.push_str("</p>\n");
}

/// NON_COMPLIANT findings by severity: one bar per severity.
fn write_severity_chart(out: &mut String, report: &Report) {
    let mut counts: BTreeMap<Severity, usize> = SEVERITIES.iter().map(|s| (*s, 0)).collect();
    for finding in &report.findings {
        if finding.compliance_type == ComplianceType::NonCompliant {
            *counts.entry(finding.severity).or_default() += 1;
        }
    }
    let max = counts.values().copied().max().unwrap_or(0).max(1);
    out.push_str("<h2>Non-compliant findings by severity</h2>\n<div class=\"panel\">\n");
    let row = 26;
    let _ = writeln!(
        out,
        "<svg id=\"chart-severity\" role=\"img\" aria-label=\"non-compliant findings by severity\" \
         width=\"640\" height=\"{}\" viewBox=\"0 0 640 {}\">",
        SEVERITIES.len() * row + 4,
        SEVERITIES.len() * row + 4
    );
    for (index, severity) in SEVERITIES.iter().enumerate() {
        let count = counts[severity];
        let width = count * 440 / max;
        let y = index * row;
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect class=\"sev-{}\" x=\"110\" y=\"{}\" \
             width=\"{width}\" height=\"18\" rx=\"2\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" \
             data-severity-count=\"{}\">{count}</text>",
            y + 14,
            severity.as_str(),
            severity.as_str(),
            y + 2,
            severity_colour(*severity),
            116 + width,
            y + 14,
            severity.as_str()
        );
    }
    out.push_str("</svg>\n</div>\n");
}

fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#6a1b9a",
        Severity::High => "#c62828",
        Severity::Medium => "#ef6c00",
        Severity::Low => "#1565c0",
        Severity::Informational => "#607d8b",
    }
}

/// One stacked bar per label, segments by compliance type, scaled to the largest total.
fn stacked_bars(out: &mut String, id: &str, label: &str, bars: &[(String, RuleCounts)]) {
    let row = 24;
    let label_width = 380;
    let bar_width = 520;
    let max = bars
        .iter()
        .map(|(_, counts)| counts.total())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = bars.len() * row + 4;
    let _ = writeln!(
        out,
        "<svg id=\"{id}\" role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{height}\" \
         viewBox=\"0 0 {} {height}\">",
        escape(label),
        label_width + bar_width + 60,
        label_width + bar_width + 60
    );
    for (index, (name, counts)) in bars.iter().enumerate() {
        let y = index * row;
        let _ = write!(
            out,
            "<g data-bar=\"{}\"><title>{}: {} compliant, {} non-compliant, {} not applicable, \
             {} insufficient data</title><text x=\"0\" y=\"{}\">{}</text>",
            escape(name),
            escape(name),
            counts.compliant,
            counts.non_compliant,
            counts.not_applicable,
            counts.insufficient_data,
            y + 14,
            escape(&shorten(name, 52))
        );
        let mut x = label_width;
        for compliance in ComplianceType::ALL {
            let count = counts.get(compliance);
            if count == 0 {
                continue;
            }
            let width = (count * bar_width / max).max(2);
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{}\" width=\"{width}\" height=\"18\" fill=\"{}\" \
                 data-compliance=\"{}\" data-value=\"{count}\"/>",
                y + 2,
                colour(compliance),
                compliance.as_str()
            );
            x += width;
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text></g>",
            x + 6,
            y + 14,
            counts.total()
        );
    }
    out.push_str("</svg>\n");
}

fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut short: String = text.chars().take(limit - 1).collect();
    short.push('…');
    short
}

fn write_rule_chart(out: &mut String, report: &Report) {
    let counts = report.counts_by_rule();
    let bars: Vec<(String, RuleCounts)> = report
        .rules
        .iter()
        .map(|rule| {
            (
                rule.id.clone(),
                counts.get(&rule.id).copied().unwrap_or_default(),
            )
        })
        .collect();
    out.push_str("<h2>Findings per rule</h2>\n<div class=\"panel\">\n");
    legend(out);
    stacked_bars(out, "chart-rules", "findings per rule", &bars);
    out.push_str("</div>\n");
}

fn write_location_chart(out: &mut String, report: &Report) {
    let mut counts: BTreeMap<(String, String), RuleCounts> = BTreeMap::new();
    for finding in &report.findings {
        counts
            .entry((
                finding.resource.account_id.clone(),
                finding.resource.region.clone(),
            ))
            .or_default()
            .add(finding.compliance_type);
    }
    let bars: Vec<(String, RuleCounts)> = counts
        .into_iter()
        .map(|((account, region), counts)| (format!("{account} · {region}"), counts))
        .collect();
    out.push_str("<h2>Findings per account and region</h2>\n<div class=\"panel\">\n");
    legend(out);
    stacked_bars(
        out,
        "chart-locations",
        "findings per account and region",
        &bars,
    );
    out.push_str("</div>\n");
}

fn options(out: &mut String, key: &str, label: &str, values: &[(String, String)]) {
    let _ = write!(
        out,
        "<label for=\"f-{key}\">{label}<select id=\"f-{key}\"><option value=\"\">all</option>"
    );
    for (value, text) in values {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            escape(value),
            escape(text)
        );
    }
    out.push_str("</select></label>\n");
}

fn write_findings(out: &mut String, report: &Report) {
    let failing: Vec<usize> = report
        .findings
        .iter()
        .enumerate()
        .filter(|(_, finding)| {
            matches!(
                finding.compliance_type,
                ComplianceType::NonCompliant | ComplianceType::InsufficientData
            )
        })
        .map(|(index, _)| index)
        .collect();
    out.push_str("<h2>Failing findings</h2>\n<div class=\"panel\">\n<div class=\"filters\">\n");
    let rules: Vec<(String, String)> = report
        .rules
        .iter()
        .map(|rule| (rule.id.clone(), rule.id.clone()))
        .collect();
    options(out, "rule", "Rule", &rules);
    let severities: Vec<(String, String)> = SEVERITIES
        .iter()
        .map(|s| (s.as_str().to_string(), s.as_str().to_string()))
        .collect();
    options(out, "severity", "Severity", &severities);
    let accounts: std::collections::BTreeSet<&str> = report
        .findings
        .iter()
        .map(|finding| finding.resource.account_id.as_str())
        .collect();
    let accounts: Vec<(String, String)> = accounts
        .into_iter()
        .map(|a| (a.to_string(), a.to_string()))
        .collect();
    options(out, "account", "Account", &accounts);
    let mut statuses = vec![
        ("NON_COMPLIANT".to_string(), "NON_COMPLIANT".to_string()),
        (
            "INSUFFICIENT_DATA".to_string(),
            "INSUFFICIENT_DATA".to_string(),
        ),
    ];
    if report.lifecycle.mutes.is_some() {
        statuses.push(("muted".to_string(), "muted".to_string()));
    }
    if report.lifecycle.resolved.is_some() {
        statuses.push(("new".to_string(), "new".to_string()));
    }
    options(out, "status", "Status", &statuses);
    let _ = writeln!(
        out,
        "<span id=\"shown\" data-shown=\"{0}\">{0} of {0} failing findings shown</span>\n</div>",
        failing.len()
    );
    if failing.is_empty() {
        out.push_str("<p class=\"empty\">No NON_COMPLIANT or INSUFFICIENT_DATA findings.</p>\n");
    }
    out.push_str(
        "<table id=\"findings\">\n<thead><tr><th>Severity</th><th>Status</th><th>Rule</th>\
         <th>Resource</th><th>Account · region</th><th>Annotation</th></tr></thead>\n<tbody>\n",
    );
    for index in failing {
        let finding = &report.findings[index];
        let muted = report.muted(index);
        let change = report.change(index);
        let _ = write!(
            out,
            "<tr class=\"finding{}\" data-rule=\"{}\" data-severity=\"{}\" data-account=\"{}\" \
             data-status=\"{}\" data-muted=\"{}\" data-change=\"{}\">",
            if muted.is_some() { " is-muted" } else { "" },
            escape(&finding.rule),
            finding.severity.as_str(),
            escape(&finding.resource.account_id),
            finding.compliance_type.as_str(),
            if muted.is_some() { "yes" } else { "no" },
            change.map_or("", Change::as_str)
        );
        let _ = write!(
            out,
            "<td><span class=\"badge sev-{0}\">{0}</span></td><td><span class=\"badge st-{1}\">{1}\
             </span>",
            finding.severity.as_str(),
            finding.compliance_type.as_str()
        );
        if let Some(note) = muted {
            let _ = write!(
                out,
                "<span class=\"badge muted-badge\" title=\"{}\">muted</span>",
                escape(&format!(
                    "muted by {} until {}: {}",
                    note.owner, note.expires, note.reason
                ))
            );
        }
        match change {
            Some(Change::New) => out.push_str("<span class=\"badge new-badge\">new</span>"),
            Some(Change::Changed) => {
                out.push_str("<span class=\"badge changed-badge\">changed</span>");
            }
            _ => {}
        }
        let _ = write!(
            out,
            "</td><td>{}</td><td><strong>{}</strong><br><span class=\"arn\">{}</span></td>\
             <td>{} · {}</td><td>{}",
            escape(&finding.rule),
            escape(&finding.resource.name),
            escape(&finding.resource.id),
            escape(&finding.resource.account_id),
            escape(&finding.resource.region),
            escape(&finding.annotation)
        );
        if let Some(note) = muted {
            let _ = write!(
                out,
                "<br><em>Accepted by {} until {}: {}</em>",
                escape(&note.owner),
                escape(&note.expires),
                escape(&note.reason)
            );
        }
        out.push_str("<details><summary>detail, evidence and remediation</summary>");
        let _ = write!(out, "<p>{}</p>", escape(&finding.detail));
        if !finding.evidence.is_empty() {
            let evidence = serde_json::to_string_pretty(&finding.evidence).unwrap_or_default();
            let _ = write!(out, "<pre>{}</pre>", escape(&evidence));
        }
        if let Some(doc) = report.rule_docs.get(&finding.rule)
            && !doc.remediation.is_empty()
        {
            let _ = write!(
                out,
                "<p><strong>Remediation:</strong> {}</p>",
                escape(&doc.remediation)
            );
        }
        if !finding.mappings.related_requirements.is_empty() {
            let _ = write!(
                out,
                "<p><strong>Related requirements:</strong> {}</p>",
                escape(&finding.mappings.related_requirements.join(", "))
            );
        }
        out.push_str("</details></td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

fn write_resolved(out: &mut String, report: &Report) {
    let Some(resolved) = &report.lifecycle.resolved else {
        return;
    };
    let _ = writeln!(
        out,
        "<h2>Resolved since the baseline</h2>\n<div class=\"panel\">"
    );
    if resolved.is_empty() {
        out.push_str("<p class=\"empty\">Nothing resolved.</p>\n</div>\n");
        return;
    }
    out.push_str(
        "<table id=\"resolved\"><thead><tr><th>Rule</th><th>Resource</th><th>Account · region</th>\
         <th>Reason</th></tr></thead><tbody>\n",
    );
    for entry in resolved {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"arn\">{}</td><td>{} · {}</td><td>{}</td></tr>",
            escape(&entry.rule),
            escape(&entry.resource.id),
            escape(&entry.resource.account_id),
            escape(&entry.resource.region),
            escape(&entry.reason)
        );
    }
    out.push_str("</tbody></table>\n</div>\n");
}

fn write_mute_lists(out: &mut String, report: &Report) {
    let Some(lists) = &report.lifecycle.mutes else {
        return;
    };
    for (title, id, entries) in [
        ("Expired mutes", "expired-mutes", &lists.expired),
        ("Unused mutes", "unused-mutes", &lists.unused),
    ] {
        let _ = writeln!(out, "<h2>{title}</h2>\n<div class=\"panel\">");
        if entries.is_empty() {
            out.push_str("<p class=\"empty\">None.</p>\n</div>\n");
            continue;
        }
        let _ = writeln!(
            out,
            "<table id=\"{id}\"><thead><tr><th>#</th><th>Rule</th><th>Resource</th>\
             <th>Owner</th><th>Expires</th><th>Reason</th></tr></thead><tbody>"
        );
        for entry in entries {
            let text = |key: &str| {
                escape(
                    &entry
                        .get(key)
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .unwrap_or_default(),
                )
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"arn\">{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td></tr>",
                text("index"),
                text("rule"),
                text("resource"),
                text("owner"),
                text("expires"),
                text("reason")
            );
        }
        out.push_str("</tbody></table>\n</div>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::{finding, report};

    #[test]
    fn hostile_names_are_escaped_everywhere() {
        let mut hostile = finding(
            "r",
            Severity::High,
            ComplianceType::NonCompliant,
            "<script>alert(1)</script>\"'&",
        );
        hostile.annotation = "<img src=x onerror=alert(2)>".to_string();
        hostile.evidence.insert(
            "tag".to_string(),
            serde_json::json!("</pre><script>x</script>"),
        );
        let html = render(&report(vec![hostile]));
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("</pre><script>"));
        assert_eq!(html.matches("<script>").count(), 1, "only our own script");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
        assert!(
            !html.contains("http://") && !html.contains("src=\""),
            "nothing fetched"
        );
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(escape("a\u{1b}[2J\u{0}b"), "a\\u{1b}[2J\\u{0}b");
    }
}
