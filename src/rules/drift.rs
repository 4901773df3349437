//! Drift: what changed in a pushed matter since its push (SPEC §2). There
//! is no update call, so staff update CaseStatus by hand — told each field
//! with the value sent and the value now. Practice area and stage are
//! compared by CaseStatus id, so a rename there is not a change.

use serde::Serialize;

use crate::casestatus::CaseBody;
use crate::rules::eligibility::Mappings;

/// One field that differs between what was sent and what would be sent now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// In the firm's words ("client name").
    pub field: &'static str,
    pub sent: String,
    pub now: String,
}

impl Change {
    /// `client name: sent "Maria Lopez", now "Maria Lopez-Garcia"`.
    pub fn describe(&self) -> String {
        format!("{}: sent {:?}, now {:?}", self.field, self.sent, self.now)
    }
}

/// The fields, in the firm's words, whose sent value differs from now,
/// each with both values so staff know what to type into CaseStatus.
/// Practice area and stage are compared by CaseStatus id: a rename there
/// (then refetched) is not a change of the matter.
pub fn changed_fields(sent_json: &str, now: &CaseBody, mappings: &Mappings) -> Vec<Change> {
    // The body written as it was sent is unchanged: most pushed matters
    // are, each cycle, and writing it costs a sixth of parsing the sent one.
    if serde_json::to_string(now).is_ok_and(|json| json == sent_json) {
        return Vec::new();
    }
    let Ok(sent) = serde_json::from_str::<CaseBody>(sent_json) else {
        return Vec::new();
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let attorney = |b: &CaseBody| format!("{} <{}>", b.attorney.name, b.attorney.email);
    let client = |b: &CaseBody| format!("{} {}", b.client.first_name, b.client.last_name);
    let pairs: [(&'static str, String, String); 11] = [
        (
            "file number",
            sent.readable_id.clone(),
            now.readable_id.clone(),
        ),
        (
            "practice area",
            sent.practice_area.clone(),
            now.practice_area.clone(),
        ),
        ("stage", sent.stage.clone(), now.stage.clone()),
        ("opened date", opt(&sent.opened_on), opt(&now.opened_on)),
        ("closed date", opt(&sent.closed_on), opt(&now.closed_on)),
        ("attorney", attorney(&sent), attorney(now)),
        (
            "paralegal email",
            opt(&sent.paralegal_email),
            opt(&now.paralegal_email),
        ),
        ("client name", client(&sent), client(now)),
        (
            "client phone",
            sent.client.phone.clone(),
            now.client.phone.clone(),
        ),
        (
            "client email",
            opt(&sent.client.email),
            opt(&now.client.email),
        ),
        (
            "client date of birth",
            opt(&sent.client.date_of_birth),
            opt(&now.client.date_of_birth),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(field, a, b)| match *field {
            "practice area" => !mappings.same_item("practice_area", a, b),
            "stage" => !mappings.same_item("stage", a, b),
            _ => a != b,
        })
        .map(|(field, sent, now)| Change { field, sent, now })
        .collect()
}

/// The drift message shown in the log and `why-skipped`.
pub fn drift_message(pushed_at: &str, changed: &[Change]) -> String {
    format!(
        "in CaseStatus since {pushed_at}; changed since the push — update it in CaseStatus by hand (CaseStatus cannot update cases through its API): {}",
        changed.iter().map(Change::describe).collect::<Vec<_>>().join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casestatus::{Attorney, Client};

    fn body() -> CaseBody {
        CaseBody {
            integration_id: "1".into(),
            readable_id: "WC-1".into(),
            practice_area: "Workers' Compensation".into(),
            stage: "Treatment".into(),
            opened_on: Some("2026-01-05".into()),
            closed_on: None,
            attorney: Attorney {
                name: "Dana Reyes".into(),
                email: "dreyes@firm.example".into(),
            },
            paralegal_email: None,
            client: Client {
                first_name: "Maria".into(),
                last_name: "Lopez".into(),
                phone: "+15125550142".into(),
                email: None,
                date_of_birth: None,
            },
            deep_link: "https://x/matters/1".into(),
        }
    }

    #[test]
    fn changed_fields_by_value_and_by_casestatus_id() {
        let sent = serde_json::to_string(&body()).unwrap();
        let renamed = Mappings::default().with_name_history(vec![
            ("practice_area".into(), 12, "Workers' Compensation".into()),
            ("practice_area".into(), 12, "Workers' Comp".into()),
        ]);
        // (what changed now, mappings, the fields reported)
        type Case<'a> = (fn(&mut CaseBody), &'a Mappings, Vec<&'a str>);
        let cases: Vec<Case> = vec![
            (|_| {}, &renamed, vec![]),
            // Written differently, no field of the firm's changed.
            (
                |b| b.deep_link = "https://new.fluentcase.example/matters/1".into(),
                &renamed,
                vec![],
            ),
            (
                |b| b.practice_area = "Workers' Comp".into(),
                &renamed,
                vec![],
            ),
            (
                |b| b.practice_area = "Personal Injury".into(),
                &renamed,
                vec!["practice area"],
            ),
            (
                |b| b.client.last_name = "Garcia".into(),
                &renamed,
                vec!["client name"],
            ),
            (
                |b| {
                    b.client.phone = "+15125550199".into();
                    b.closed_on = Some("2026-11-01".into());
                },
                &renamed,
                vec!["closed date", "client phone"],
            ),
        ];
        for (change, mappings, want) in cases {
            let mut now = body();
            change(&mut now);
            let got: Vec<&str> = changed_fields(&sent, &now, mappings)
                .iter()
                .map(|c| c.field)
                .collect();
            assert_eq!(got, want);
        }
        let mut now = body();
        now.client.last_name = "Garcia".into();
        let c = &changed_fields(&sent, &now, &renamed)[0];
        assert_eq!(
            c.describe(),
            "client name: sent \"Maria Lopez\", now \"Maria Garcia\""
        );
        assert!(changed_fields("not json", &now, &renamed).is_empty());
    }
}
