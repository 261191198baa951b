//! Inventories: which apps, flows and environments exist.
//!
//! Two exports are read:
//!
//! - the Power Platform self-service analytics export: the Apps and Environments entities, as a
//!   CDM folder (a `model.json` naming each entity's columns, and header-less CSV partitions)
//!   or as plain CSV files with a header;
//! - the CoE Starter Kit's Dataverse tables `admin_app`, `admin_flow`, `admin_environment` and
//!   `admin_maker`, exported as CSV with their `admin_*` columns.
//!
//! What a file holds is told by its columns. Solutions are upserted by external id
//! (`powerapps:<app id>`, `powerautomate:<flow id>`) through the store's audited writer: a
//! re-import never duplicates them, and the business unit, criticality, owner and lifecycle
//! set by hand are kept. New solutions go to the business unit `Unassigned`. Makers are people:
//! they are counted, pseudonymized, and not stored.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use worth_core::solution::{EnvironmentType, ExternalId, SolutionKind};
use worth_store::{InventoryEnvironment, InventoryItem, UpsertCounts, Writer};

use crate::driver::{self, Cells, Header, Outcome, RowImporter};
use crate::error::{IngestError, Result};
use crate::header::{Field, normalize};
use crate::pseudonyms::Pseudonyms;
use crate::rejects::{Rejection, RejectsFile};
use crate::{ParseContext, Parsed, source};

/// What one inventory file (or CDM folder) will write.
#[derive(Debug, Default)]
pub(crate) struct InventoryBatch {
    pub(crate) environments: Vec<InventoryEnvironment>,
    pub(crate) items: Vec<InventoryItem>,
    pub(crate) makers: usize,
}

/// The entities an inventory file can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    Apps,
    Environments,
    CoeApps,
    CoeFlows,
    CoeEnvironments,
    CoeMakers,
}

impl Entity {
    /// Tells the entity from the (normalized) column names.
    fn detect(header: &[String]) -> Option<Self> {
        let has = |name: &str| header.iter().any(|h| *h == name);
        if has("admin_appid") {
            Some(Self::CoeApps)
        } else if has("admin_flowid") {
            Some(Self::CoeFlows)
        } else if has("admin_makerid") {
            Some(Self::CoeMakers)
        } else if has("admin_environmentid") {
            Some(Self::CoeEnvironments)
        } else if has("appname") || has("appid") {
            Some(Self::Apps)
        } else if has("environmentid") && (has("environmenttype") || has("isdefault")) {
            Some(Self::Environments)
        } else {
            None
        }
    }

    /// The entity a CDM entity name stands for.
    fn from_cdm(name: &str) -> Option<Self> {
        match normalize(name).as_str() {
            "apps" | "app" => Some(Self::Apps),
            "environments" | "environment" => Some(Self::Environments),
            _ => None,
        }
    }

    fn fields(self) -> Vec<Field> {
        match self {
            Self::Apps => vec![
                Field::required("AppName", &["AppId"]),
                Field::optional("Name", &["DisplayName", "AppDisplayName"]),
                Field::optional("Environmentid", &["EnvironmentId"]),
                Field::optional("Type", &["AppType"]),
                Field::optional("CreatedTime", &["CreatedOn"]),
            ],
            Self::Environments => vec![
                Field::required("Environmentid", &["EnvironmentId"]),
                Field::optional("name", &["DisplayName", "EnvironmentName"]),
                Field::optional("environmenttype", &["EnvironmentType", "Type"]),
                Field::optional("isDefault", &[]),
            ],
            Self::CoeApps => vec![
                Field::required("admin_appid", &[]),
                Field::optional("admin_displayname", &["admin_appdisplayname"]),
                Field::optional("admin_appenvironmentid", &["admin_environmentid"]),
                Field::optional("admin_apptype", &["admin_appplanclassification"]),
                Field::optional("admin_appcreatedon", &["createdon"]),
            ],
            Self::CoeFlows => vec![
                Field::required("admin_flowid", &[]),
                Field::optional("admin_displayname", &["admin_flowdisplayname"]),
                Field::optional("admin_flowenvironmentid", &["admin_environmentid"]),
                Field::optional("admin_flowtype", &[]),
                Field::optional("admin_flowcreatedon", &["createdon"]),
            ],
            Self::CoeEnvironments => vec![
                Field::required("admin_environmentid", &[]),
                Field::optional("admin_displayname", &["admin_environmentdisplayname"]),
                Field::optional("admin_environmenttype", &["admin_environmentsku"]),
                Field::optional("admin_environmentisdefault", &[]),
            ],
            Self::CoeMakers => vec![Field::required("admin_makerid", &[])],
        }
    }
}

/// Reads one inventory entity.
#[derive(Debug)]
struct EntityImporter {
    entity: Entity,
    fields: Vec<Field>,
    seen: FxHashSet<String>,
    batch: InventoryBatch,
    makers: Pseudonyms,
}

/// Whether `text` is a GUID (8-4-4-4-12 hexadecimal digits).
fn is_guid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() }
        })
}

fn env_type(text: Option<&str>, default: bool) -> Option<EnvironmentType> {
    if default {
        return Some(EnvironmentType::Default);
    }
    let t = text?.trim().to_lowercase();
    Some(match t.as_str() {
        "production" | "prod" => EnvironmentType::Production,
        "sandbox" | "test" => EnvironmentType::Sandbox,
        "developer" | "dev" => EnvironmentType::Developer,
        "default" => EnvironmentType::Default,
        "trial" | "subscriptionbasedtrial" => EnvironmentType::Trial,
        _ => return None,
    })
}

fn truthy(text: Option<&str>) -> bool {
    text.is_some_and(|t| matches!(t.trim().to_lowercase().as_str(), "true" | "yes" | "1"))
}

impl EntityImporter {
    fn new(entity: Entity, makers: Pseudonyms) -> Self {
        Self {
            entity,
            fields: entity.fields(),
            seen: FxHashSet::default(),
            batch: InventoryBatch::default(),
            makers,
        }
    }

    /// Records an id; false when it was met before in this file.
    fn first_time(&mut self, id: &str) -> bool {
        self.seen.insert(id.to_lowercase())
    }

    fn solution(
        &mut self,
        c: &Cells<'_>,
        system: &str,
        kind: SolutionKind,
    ) -> Result<Outcome, Rejection> {
        let mut id = c.required(0)?.to_owned();
        let mut name = c.text(1)?.map(str::to_owned);
        // The self-service analytics export names an app by its id in AppName and by its
        // display name in Name; some exports swap them. The GUID is the id.
        if self.entity == Entity::Apps
            && !is_guid(&id)
            && let Some(n) = name.as_ref().filter(|n| is_guid(n))
        {
            let display = std::mem::replace(&mut id, n.clone());
            name = Some(display);
        }
        if !self.first_time(&id) {
            return Ok(Outcome::Duplicate);
        }
        let kind = match c.text(3)? {
            Some(t) if t.to_lowercase().contains("model") => SolutionKind::ModelDrivenApp,
            _ => kind,
        };
        let created_on: Option<NaiveDate> = c.day(4)?;
        self.batch.items.push(InventoryItem {
            external_id: ExternalId { system: system.to_owned(), id: id.to_lowercase() },
            name: name.unwrap_or_else(|| id.clone()),
            kind,
            environment_id: c.text(2)?.map(str::to_lowercase),
            created_on,
        });
        Ok(Outcome::Imported)
    }

    fn environment(&mut self, c: &Cells<'_>) -> Result<Outcome, Rejection> {
        let id = c.required(0)?.to_owned();
        if !self.first_time(&id) {
            return Ok(Outcome::Duplicate);
        }
        let name = c.text(1)?.unwrap_or(&id).to_owned();
        let raw_type = c.text(2)?;
        let env_type = env_type(raw_type, truthy(c.text(3)?));
        if raw_type.is_some() && env_type.is_none() {
            return Err(c.reject(
                2,
                format!(
                    "'{}' is not an environment type (Production, Sandbox, Developer, Default, \
                     Trial)",
                    raw_type.unwrap_or_default()
                ),
            ));
        }
        self.batch.environments.push(InventoryEnvironment {
            external_id: id.to_lowercase(),
            name,
            env_type,
        });
        Ok(Outcome::Imported)
    }
}

impl RowImporter for EntityImporter {
    fn fields(&self) -> &[Field] {
        &self.fields
    }

    fn known(&self) -> &[&str] {
        // Inventory exports carry many more columns than Worth reads; they are documented
        // columns of those exports, not unknown ones, when they follow the export's naming.
        &[]
    }

    fn row(&mut self, c: &Cells<'_>) -> Result<Outcome, Rejection> {
        match self.entity {
            Entity::Apps | Entity::CoeApps => {
                self.solution(c, "powerapps", SolutionKind::CanvasApp)
            }
            Entity::CoeFlows => self.solution(c, "powerautomate", SolutionKind::CloudFlow),
            Entity::Environments | Entity::CoeEnvironments => self.environment(c),
            Entity::CoeMakers => {
                let id = c.required(0)?;
                self.makers.intern(id.as_bytes());
                Ok(Outcome::Imported)
            }
        }
    }
}

/// The first row of a CSV file, normalized.
fn header_of(path: &Path) -> Result<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| IngestError::Io { path: path.to_owned(), source: e.into() })?;
    let mut record = csv::ByteRecord::new();
    let found = reader.read_byte_record(&mut record).map_err(|e| IngestError::Csv {
        path: path.to_owned(),
        line: 1,
        message: e.to_string(),
    })?;
    if !found {
        return Err(IngestError::NoHeader { path: path.to_owned() });
    }
    Ok(record.iter().map(|c| normalize(&String::from_utf8_lossy(c))).collect())
}

/// Columns that inventory exports carry beside those read: anything prefixed like the entity's
/// own columns is the export's, so only columns of another naming are reported as unknown.
fn is_export_column(entity: Entity, column: &str) -> bool {
    let c = normalize(column);
    match entity {
        Entity::CoeApps | Entity::CoeFlows | Entity::CoeEnvironments | Entity::CoeMakers => {
            c.starts_with("admin_")
                || c.starts_with('_')
                || c.ends_with("on")
                || c == "statecode"
                || c == "statuscode"
        }
        Entity::Apps | Entity::Environments => true,
    }
}

fn read_entity(
    path: &Path,
    entity: Entity,
    header: Header<'_>,
    ctx: &ParseContext,
    rejects: &mut RejectsFile,
    importer: &mut EntityImporter,
) -> Result<driver::FileRead> {
    let src = source::Source::open(path, source::progress_bar(path, ctx.progress))?;
    let mut read = driver::read_csv(path, src, header, ctx.mapping.as_ref(), importer, rejects)?;
    read.unknown_columns.retain(|c| !is_export_column(entity, c));
    Ok(read)
}

pub(crate) fn parse(path: &Path, ctx: &ParseContext, rejects: &mut RejectsFile) -> Result<Parsed> {
    if path.is_dir() {
        return parse_cdm(path, ctx, rejects);
    }
    let mut header = header_of(path)?;
    // A mapped column stands for its field when telling what the file holds.
    if let Some(mapping) = &ctx.mapping {
        for (field, column) in &mapping.columns {
            for h in header.iter_mut().filter(|h| **h == normalize(column)) {
                *h = normalize(field);
            }
        }
    }
    let entity = Entity::detect(&header).ok_or_else(|| IngestError::Unsupported {
        path: path.to_owned(),
        message: "not an inventory export: expected the Apps or Environments entity \
                  (AppName, Environmentid, …) or a CoE table (admin_appid, admin_flowid, \
                  admin_environmentid, admin_makerid); use --mapping for other names"
            .into(),
    })?;
    let mut importer = EntityImporter::new(entity, Pseudonyms::new(ctx.key.clone()));
    let read = read_entity(path, entity, Header::FirstRow, ctx, rejects, &mut importer)?;
    Ok(finish(read, importer))
}

fn finish(read: driver::FileRead, importer: EntityImporter) -> Parsed {
    let mut batch = importer.batch;
    batch.makers = importer.makers.len();
    let mut stored = Vec::new();
    if !batch.environments.is_empty() {
        stored.push(format!("{} environments", batch.environments.len()));
    }
    if !batch.items.is_empty() {
        stored.push(format!("{} solutions", batch.items.len()));
    }
    if batch.makers > 0 {
        stored.push(format!("{} makers counted, not stored", batch.makers));
    }
    Parsed { read, output: crate::Output::Inventory(batch), days: None, stored }
}

/// A CDM folder's `model.json`: the entities, their columns in order, and their partitions.
#[derive(Debug, Deserialize)]
struct Model {
    #[serde(default)]
    entities: Vec<ModelEntity>,
}

#[derive(Debug, Deserialize)]
struct ModelEntity {
    name: String,
    #[serde(default)]
    attributes: Vec<ModelAttribute>,
    #[serde(default)]
    partitions: Vec<ModelPartition>,
}

#[derive(Debug, Deserialize)]
struct ModelAttribute {
    name: String,
}

#[derive(Debug, Deserialize)]
struct ModelPartition {
    #[serde(default)]
    location: String,
}

/// Finds a partition's file in the folder: its location is a URL of the data lake, whose last
/// segments are the entity folder and the file.
fn partition_file(folder: &Path, entity: &str, location: &str) -> Option<PathBuf> {
    let path_part = location.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path_part.split('/').filter(|s| !s.is_empty()).collect();
    let file = *segments.last()?;
    let candidates = [
        segments.len().checked_sub(2).map(|i| folder.join(segments[i]).join(file)),
        Some(folder.join(entity).join(file)),
        Some(folder.join(file)),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

fn parse_cdm(folder: &Path, ctx: &ParseContext, rejects: &mut RejectsFile) -> Result<Parsed> {
    let model_path = folder.join("model.json");
    let text = std::fs::read_to_string(&model_path)
        .map_err(|source| IngestError::Io { path: model_path.clone(), source })?;
    let model: Model = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        IngestError::Mapping {
            path: model_path.clone(),
            message: format!("not a CDM model.json ({e})"),
        }
    })?;

    let mut total = driver::FileRead {
        counts: driver::Counts::default(),
        unknown_columns: Vec::new(),
        content_hash: String::new(),
    };
    let mut hasher = blake3::Hasher::new();
    hasher.update(text.as_bytes());
    let mut merged = EntityImporter::new(Entity::Apps, Pseudonyms::new(ctx.key.clone()));
    let mut found = 0;
    let mut order: FxHashMap<&str, u8> = FxHashMap::default();
    order.insert("environments", 0);
    let mut entities: Vec<&ModelEntity> = model.entities.iter().collect();
    // Environments first, so that apps find theirs.
    entities.sort_by_key(|e| order.get(normalize(&e.name).as_str()).copied().unwrap_or(1));
    for entity in entities {
        let Some(kind) = Entity::from_cdm(&entity.name) else { continue };
        found += 1;
        let columns: Vec<String> = entity.attributes.iter().map(|a| a.name.clone()).collect();
        let mut importer = EntityImporter::new(kind, Pseudonyms::new(ctx.key.clone()));
        for partition in &entity.partitions {
            let Some(file) = partition_file(folder, &entity.name, &partition.location) else {
                return Err(IngestError::Unsupported {
                    path: folder.to_owned(),
                    message: format!(
                        "the partition {} of entity {} is not in the folder; copy the \
                         entity's folder beside model.json",
                        partition.location, entity.name
                    ),
                });
            };
            let read =
                read_entity(&file, kind, Header::Given(&columns), ctx, rejects, &mut importer)?;
            hasher.update(read.content_hash.as_bytes());
            total.counts.read += read.counts.read;
            total.counts.imported += read.counts.imported;
            total.counts.rejected += read.counts.rejected;
            total.counts.duplicate += read.counts.duplicate;
            for c in read.unknown_columns {
                if !total.unknown_columns.contains(&c) {
                    total.unknown_columns.push(c);
                }
            }
        }
        merged.batch.environments.append(&mut importer.batch.environments);
        merged.batch.items.append(&mut importer.batch.items);
    }
    if found == 0 {
        return Err(IngestError::Unsupported {
            path: model_path,
            message: "the model has neither an Apps nor an Environments entity".into(),
        });
    }
    total.content_hash = hasher.finalize().to_hex().to_string();
    Ok(finish(total, merged))
}

/// Writes a parsed inventory: environments first, then solutions. Returns what it did.
pub(crate) async fn write(w: &mut Writer, batch: &InventoryBatch) -> Result<Vec<String>> {
    let mut envs = UpsertCounts::default();
    for env in &batch.environments {
        w.upsert_environment(env, &mut envs).await?;
    }
    let mut solutions = UpsertCounts::default();
    for item in &batch.items {
        w.upsert_solution(item, &mut solutions).await?;
    }
    let mut done = Vec::new();
    let say = |what: &str, c: UpsertCounts| {
        format!("{what}: {} new, {} changed, {} unchanged", c.created, c.updated, c.unchanged)
    };
    if !batch.environments.is_empty() {
        done.push(say("environments", envs));
    }
    if !batch.items.is_empty() {
        done.push(say("solutions", solutions));
    }
    if batch.makers > 0 {
        done.push(format!("{} makers counted, not stored", batch.makers));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_told_from_names() {
        assert!(is_guid("c7beaac2-386c-4e50-8557-26d6c5b36ed0"));
        assert!(!is_guid("Invoice approvals"));
        assert!(!is_guid("c7beaac2-386c-4e50-8557-26d6c5b36ed"));
    }

    #[test]
    fn partitions_are_found_by_the_end_of_their_location() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("Apps")).unwrap();
        std::fs::write(dir.path().join("Apps").join("part-1.csv"), "x").unwrap();
        let url = "https://lake.dfs.core.windows.net/powerapps/Apps/part-1.csv?snapshot=1";
        assert_eq!(
            partition_file(dir.path(), "Apps", url),
            Some(dir.path().join("Apps").join("part-1.csv"))
        );
        assert_eq!(partition_file(dir.path(), "Apps", "https://x/y/missing.csv"), None);
    }
}
