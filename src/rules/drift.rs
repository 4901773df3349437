//! Drift: what changed in a pushed matter since its push (SPEC §2). There
//! is no update call, so staff update CaseStatus by hand — told each field
//! with the value sent and the value now. Practice area and stage are
//! compared by CaseStatus id, so a rename there is not a change.

use serde::Serialize;

use crate::casestatus::CaseBody;
use crate::rules::policy::Mappings;
use crate::store::ledger::SentIds;

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
///
/// When the ids sent with the push are known (`sent_ids`) and the matter is
/// mapped now (`now_ids`), the ids decide: a new stage that a rename gave
/// the old one's name is a change although the text is the same.
pub fn changed_fields(
    sent_json: &str,
    sent_ids: Option<SentIds>,
    now: &CaseBody,
    now_ids: Option<SentIds>,
    mappings: &Mappings,
) -> Vec<Change> {
    let by_id = sent_ids.zip(now_ids);
    // The body written as it was sent is unchanged: most pushed matters
    // are, each cycle, and writing it costs a sixth of parsing the sent one.
    if by_id.is_none_or(|(a, b)| a == b)
        && serde_json::to_string(now).is_ok_and(|json| json == sent_json)
    {
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
        .filter_map(|(field, a, b)| {
            let ids = by_id.map(|(s, n)| match field {
                "practice area" => (s.practice_area, n.practice_area),
                _ => (s.stage, n.stage),
            });
            let changed = match (field, ids) {
                ("practice area" | "stage", Some((s, n))) => s != n,
                ("practice area", None) => !mappings.same_item("practice_area", &a, &b),
                ("stage", None) => !mappings.same_item("stage", &a, &b),
                _ => a != b,
            };
            if !changed {
                return None;
            }
            // The same name on another id: say which is which.
            let (sent, now) = match ids {
                Some((s, n)) if a == b && field == "stage" => {
                    (format!("{a} (stage {s})"), format!("{b} (stage {n})"))
                }
                Some((s, n)) if a == b => (
                    format!("{a} (practice area {s})"),
                    format!("{b} (practice area {n})"),
                ),
                _ => (a, b),
            };
            Some(Change { field, sent, now })
        })
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
            let got: Vec<&str> = changed_fields(&sent, None, &now, None, mappings)
                .iter()
                .map(|c| c.field)
                .collect();
            assert_eq!(got, want);
        }
        let mut now = body();
        now.client.last_name = "Garcia".into();
        let c = &changed_fields(&sent, None, &now, None, &renamed)[0];
        assert_eq!(
            c.describe(),
            "client name: sent \"Maria Lopez\", now \"Maria Garcia\""
        );
        assert!(changed_fields("not json", None, &now, None, &renamed).is_empty());
    }

    #[test]
    fn practice_area_and_stage_are_judged_by_the_ids_sent() {
        let ids = |practice_area, stage| {
            Some(SentIds {
                practice_area,
                stage,
            })
        };
        let sent = serde_json::to_string(&body()).unwrap();
        let none = Mappings::default();
        // A rename gave stage 105 the name of stage 102: the text is the
        // same, the stage is not.
        let same_text = body();
        let c = changed_fields(&sent, ids(12, 102), &same_text, ids(12, 105), &none);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, "stage");
        assert_eq!(c[0].sent, "Treatment (stage 102)");
        assert_eq!(c[0].now, "Treatment (stage 105)");
        // Renamed in CaseStatus, same ids: no change, with no name history.
        let mut renamed = body();
        renamed.stage = "Medical Treatment".into();
        renamed.practice_area = "Workers' Comp".into();
        assert!(changed_fields(&sent, ids(12, 102), &renamed, ids(12, 102), &none).is_empty());
        // Another practice area, by id.
        let c = changed_fields(&sent, ids(12, 102), &same_text, ids(13, 102), &none);
        assert_eq!(c[0].field, "practice area");
    }
}
