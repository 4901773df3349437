//! Unit tests of the mapping overview's views: key order and cells.

use super::*;

fn stage(status: Option<&str>, vanished: bool) -> StageView {
    StageView {
        id: 101,
        matter_status: status.map(str::to_string),
        matters: status.map(|_| 3),
        name: "Intake".into(),
        position: 1,
        vanished,
    }
}

/// The document keeps the key order it had as a `serde_json` map.
#[test]
fn the_document_keeps_its_key_order() {
    let doc = Overview {
        action_needed: true,
        flagged_mappings: 1,
        practice_areas: vec![AreaView {
            case_type: Some("Workers Comp".into()),
            eligible_matters: Some(2),
            id: 12,
            name: "Workers' Compensation".into(),
            stages: vec![stage(Some("Open"), false), stage(None, true)],
            vanished: false,
        }],
        unmapped_practice_areas: 0,
        unmapped_stages: 2,
    };
    let text = serde_json::to_string(&doc).unwrap();
    let as_map = serde_json::to_string(&serde_json::to_value(&doc).unwrap()).unwrap();
    assert_eq!(text, as_map);
    assert_eq!(
        doc.banner().unwrap(),
        "Action Needed: 2 stage(s) not mapped to a matter status; 1 mapping(s) to something CaseStatus no longer has. Matters are synced only where a practice area and its stage are mapped."
    );
    assert_eq!(doc.eligible(), 2);
}

#[test]
fn mapping_cells() {
    assert_eq!(
        stage(Some("Open"), false).mapping_cell(),
        (Tone::Ok, "Open".into())
    );
    assert_eq!(
        stage(None, false).mapping_cell(),
        (Tone::Warn, "Map".into())
    );
    assert_eq!(
        stage(Some("Open"), true).mapping_cell(),
        (Tone::Warn, "Open — stage gone from CaseStatus".into())
    );
    assert_eq!(stage(None, true).mapping(), Mapping::Gone);
    assert_eq!(stage(None, false).matters_cell(), "—");
}
