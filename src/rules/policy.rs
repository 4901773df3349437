//! What the rules depend on besides the matter: the firm's mappings (case
//! type → practice area, matter status → stage) and the [`Policy`] one run
//! judges and builds case bodies with. Its own module so that eligibility
//! and the case body both use it without using each other.

use std::collections::{BTreeSet, HashMap};

use rustc_hash::FxHashMap;

use crate::rules::contact::PhoneBook;
use crate::store::ledger::SentIds;
use crate::store::state::AreaRow;
use crate::util::config::PhoneRegion;

/// The mappings as eligibility needs them: case type → practice area and
/// its status → stage table. Built once per run from the state store.
#[derive(Debug, Clone, Default)]
pub struct Mappings {
    by_case_type: FxHashMap<String, AreaMapping>,
    /// (kind, name) → every CaseStatus id that ever had that name.
    ids_by_name: HashMap<(String, String), Vec<i64>>,
}

/// One mapped practice area, as eligibility sees it.
#[derive(Debug, Clone)]
pub struct AreaMapping {
    area: String,
    /// CaseStatus's id of the practice area.
    area_id: i64,
    vanished: bool,
    /// matter status → (stage name, stage vanished)
    stages: FxHashMap<String, (String, bool)>,
    /// matter status → CaseStatus's id of its stage.
    stage_ids: FxHashMap<String, i64>,
}

impl Mappings {
    /// From the stored snapshot and mappings.
    pub fn from_areas(areas: &[AreaRow]) -> Mappings {
        let mut by_case_type = FxHashMap::default();
        for a in areas {
            if let Some(ct) = &a.case_type {
                let stages = a
                    .stages
                    .iter()
                    .filter_map(|s| {
                        s.matter_status
                            .clone()
                            .map(|st| (st, (s.name.clone(), s.vanished)))
                    })
                    .collect();
                let stage_ids = a
                    .stages
                    .iter()
                    .filter_map(|s| s.matter_status.clone().map(|st| (st, s.id)))
                    .collect();
                by_case_type.insert(
                    ct.clone(),
                    AreaMapping {
                        area: a.name.clone(),
                        area_id: a.id,
                        vanished: a.vanished,
                        stages,
                        stage_ids,
                    },
                );
            }
        }
        Mappings {
            by_case_type,
            ids_by_name: HashMap::new(),
        }
    }

    /// Add the names CaseStatus has given each practice area and stage
    /// (`kind` is `practice_area` or `stage`), for [`Mappings::same_item`].
    pub fn with_name_history(mut self, names: Vec<(String, i64, String)>) -> Mappings {
        for (kind, id, name) in names {
            self.ids_by_name.entry((kind, name)).or_default().push(id);
        }
        self
    }

    /// The practice area a case type is mapped to, if any.
    pub fn area_for(&self, case_type: &str) -> Option<&AreaMapping> {
        self.by_case_type.get(case_type)
    }

    /// Whether two names of a `kind` denote the same CaseStatus item: equal,
    /// or once given to the same id (a rename in CaseStatus).
    pub fn same_item(&self, kind: &str, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        let ids = |n: &str| self.ids_by_name.get(&(kind.to_string(), n.to_string()));
        match (ids(a), ids(b)) {
            (Some(x), Some(y)) => x.iter().any(|id| y.contains(id)),
            _ => false,
        }
    }
}

impl AreaMapping {
    /// The practice area's name in CaseStatus.
    pub fn area(&self) -> &str {
        &self.area
    }

    /// Whether CaseStatus no longer has this practice area.
    pub fn vanished(&self) -> bool {
        self.vanished
    }

    /// The CaseStatus ids a matter in `status` is sent with: this practice
    /// area and the stage the status is mapped to.
    pub fn ids_for(&self, status: &str) -> Option<SentIds> {
        Some(SentIds {
            practice_area: self.area_id,
            stage: *self.stage_ids.get(status)?,
        })
    }

    /// The stage a matter status is mapped to: (name, vanished from CaseStatus).
    pub fn stage_for(&self, status: &str) -> Option<(&str, bool)> {
        self.stages.get(status).map(|(n, v)| (n.as_str(), *v))
    }
}

/// Everything besides the matter that the rules depend on.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    pub mappings: &'a Mappings,
    pub synced_statuses: &'a BTreeSet<String>,
    /// FluentCase's base URL for the deep link, without trailing slash.
    pub deep_link_base: &'a str,
    /// The country of phone numbers written without a country code.
    pub phone_region: PhoneRegion,
    /// The firm's time zone, for times in messages.
    pub timezone: chrono_tz::Tz,
    /// Phone numbers resolved in earlier cycles.
    pub phone_book: &'a PhoneBook,
}
