//! What the Pithos groups share: the account and container options,
//! locations resolved to a client, the one-line errors for missing
//! containers and objects, kamaki's object and container lines, dates as
//! Pithos wants them, and confirmations.

use std::future::Future;
use std::io::{BufRead, Write};

use clap::Args;
use kamaki::clients::pithos::PithosClient;
use kamaki::clients::storage::{ContainerListing, Headers, ListedObject, ObjectListing};
use kamaki::clients::ClientError;
use serde_json::{Map, Value};
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::args::Location;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::{escape_ctrl, format_size, human};

/// `-A/--account`: whose storage to use.
#[derive(Args, Clone, Debug, Default)]
pub struct AccountArg {
    /// The account to use: a user uuid or name (default: cloud.<name>.pithos_uuid, else the session user).
    #[arg(short = 'A', long = "account", value_name = "UUID|NAME")]
    pub account: Option<String>,
}

/// `-A/--account` and `-C/--container`, for the `file` commands.
#[derive(Args, Clone, Debug, Default)]
pub struct FileTarget {
    /// The account.
    #[command(flatten)]
    pub account: AccountArg,
    /// The container of plain paths (default: cloud.<name>.pithos_container, else pithos).
    #[arg(short = 'C', long = "container", value_name = "NAME")]
    pub container: Option<String>,
}

/// The Pithos client of the cloud, with no account or container set.
pub async fn pithos(ctx: &mut Ctx) -> CliResult<PithosClient> {
    let cloud = ctx.global.cloud.clone();
    ctx.session.service(cloud.as_deref(), "pithos").await
}

/// The uuid of the session user.
pub async fn session_uuid(ctx: &mut Ctx) -> CliResult<String> {
    let astakos = ctx.astakos()?;
    let id = astakos.user_info().await?.id;
    if id.is_empty() {
        return Err(CliError::new(
            "the cloud did not say who the session user is: set cloud.<name>.pithos_uuid",
        ));
    }
    Ok(id)
}

/// A `cloud.<name>.<key>` option of the chosen cloud, when set.
fn cloud_option(ctx: &mut Ctx, key: &str) -> CliResult<Option<String>> {
    let cloud = ctx.session.cloud(ctx.global.cloud.as_deref())?;
    Ok(ctx
        .session
        .config
        .get_cloud(&cloud.name, key)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty()))
}

/// The uuid of a user given by uuid or name (kamaki's user account
/// argument): a known uuid is kept, a name is looked up.
pub async fn account_uuid(ctx: &mut Ctx, text: &str) -> CliResult<String> {
    let astakos = ctx.astakos()?;
    if astakos
        .get_usernames(&[text])
        .await
        .is_ok_and(|names| names.contains_key(text))
    {
        return Ok(text.to_string());
    }
    match astakos.get_uuids(&[text]).await {
        Ok(uuids) => uuids.get(text).cloned().ok_or_else(|| {
            CliError::new(format!(
                "User name or UUID not found: {text} (see kamaki user name2uuid {text})"
            ))
        }),
        Err(e) => Err(e.into()),
    }
}

/// The account to use: `-A` (a uuid or a name), else
/// `cloud.<name>.pithos_uuid`, else the session user.
pub async fn account_of(ctx: &mut Ctx, arg: &AccountArg) -> CliResult<String> {
    if let Some(account) = arg.account.as_deref().filter(|a| !a.is_empty()) {
        return account_uuid(ctx, account).await;
    }
    match cloud_option(ctx, "pithos_uuid")? {
        Some(uuid) => Ok(uuid),
        None => session_uuid(ctx).await,
    }
}

/// The default container: `cloud.<name>.pithos_container`, else `pithos`.
pub fn default_container(ctx: &mut Ctx) -> CliResult<String> {
    Ok(cloud_option(ctx, "pithos_container")?.unwrap_or_else(|| "pithos".to_string()))
}

/// Where a command works: a client set to an account and a container, and
/// a path in it (empty: the container itself).
#[derive(Clone, Debug)]
pub struct Target {
    /// The client, account and container set.
    pub client: PithosClient,
    /// The account (a uuid).
    pub account: String,
    /// The container.
    pub container: String,
    /// The object path (may be empty).
    pub path: String,
    /// Whether the account is not the default one (locations then name it).
    pub foreign: bool,
}

impl Target {
    /// The account named by `-A` (or the default one), no container.
    pub async fn account(ctx: &mut Ctx, arg: &AccountArg) -> CliResult<Target> {
        let account = account_of(ctx, arg).await?;
        let client = pithos(ctx).await?.with_account(account.clone());
        Ok(Target {
            client,
            foreign: arg.account.is_some(),
            account,
            container: String::new(),
            path: String::new(),
        })
    }

    /// A container of the account named by `-A` (or the default one).
    pub async fn container(ctx: &mut Ctx, arg: &AccountArg, container: &str) -> CliResult<Target> {
        check_container_name(container)?;
        let target = Target::account(ctx, arg).await?;
        Ok(target.in_container(container))
    }

    /// A location (`pithos://UUID/CONTAINER/PATH`, `/CONTAINER/PATH` or
    /// `PATH`) with `-A` and `-C` as defaults for what it does not name.
    pub async fn location(ctx: &mut Ctx, args: &FileTarget, location: &str) -> CliResult<Target> {
        let parsed = Location::parse(location)?;
        let account = match &parsed.account {
            Some(account) => account.clone(),
            None => account_of(ctx, &args.account).await?,
        };
        let container = match parsed.container.or_else(|| args.container.clone()) {
            Some(container) if !container.is_empty() => container,
            _ => default_container(ctx)?,
        };
        check_container_name(&container)?;
        let client = pithos(ctx).await?.with_account(account.clone());
        Ok(Target {
            client: client.with_container(container.clone()),
            foreign: parsed.account.is_some() || args.account.account.is_some(),
            account,
            container,
            path: parsed.path,
        })
    }

    /// A path in a container of a given account (`foreign`: the account
    /// was named, so locations show it).
    pub async fn of(
        ctx: &mut Ctx,
        account: String,
        container: &str,
        path: &str,
        foreign: bool,
    ) -> CliResult<Target> {
        check_container_name(container)?;
        let client = pithos(ctx).await?.with_account(account.clone());
        Ok(Target {
            client: client.with_container(container),
            foreign,
            account,
            container: container.to_string(),
            path: path.to_string(),
        })
    }

    /// The same account, another container.
    pub fn in_container(&self, container: &str) -> Target {
        Target {
            client: self.client.clone().with_container(container),
            container: container.to_string(),
            path: String::new(),
            ..self.clone()
        }
    }

    /// The same container, another path.
    pub fn at(&self, path: &str) -> Target {
        Target {
            path: path.to_string(),
            ..self.clone()
        }
    }

    /// `/<container>/<path>`, or `pithos://<account>/<container>/<path>`
    /// for another user's account.
    pub fn display(&self) -> String {
        self.display_path(&self.path)
    }

    /// Like [`Target::display`], for another path of the same container.
    pub fn display_path(&self, path: &str) -> String {
        let path = if path.is_empty() {
            String::new()
        } else {
            format!("/{path}")
        };
        if self.foreign {
            format!("pithos://{}/{}{path}", self.account, self.container)
        } else {
            format!("/{}{path}", self.container)
        }
    }

    /// A location that must name an object.
    pub async fn object(ctx: &mut Ctx, args: &FileTarget, location: &str) -> CliResult<Target> {
        let target = Target::location(ctx, args, location).await?;
        target.require_path(location)?;
        Ok(target)
    }

    /// The path, or an error when the location names only a container.
    pub fn require_path(&self, given: &str) -> CliResult<()> {
        if self.path.is_empty() {
            return Err(CliError::new(format!(
                "Invalid or incomplete location {given}: expected [[pithos://UUID]/CONTAINER/]PATH"
            )));
        }
        Ok(())
    }

    /// The error for a reply about the container.
    pub fn container_error(&self, error: ClientError) -> CliError {
        container_error(&self.container, error)
    }

    /// The error for a reply about the object: a 404 is a missing
    /// container or a missing object (a `HEAD` of the container tells
    /// which).
    pub async fn object_error(&self, error: ClientError) -> CliError {
        match error.status() {
            404 => {
                if let Err(e) = self.client.get_container_info(None, None).await {
                    if e.status() == 404 {
                        return self.container_error(e);
                    }
                }
                let list = if self.container == "pithos" && !self.foreign {
                    "kamaki file list".to_string()
                } else {
                    format!("kamaki file list {}", self.display_path(""))
                };
                CliError::new(format!(
                    "No object \"{}\" in container \"{}\" (404): see {list}",
                    self.path, self.container
                ))
                .detail(error.to_string())
            }
            _ => condition_error(&self.display(), error),
        }
    }

    /// Runs a call about the object, explaining its errors.
    pub async fn on_object<T>(
        &self,
        call: impl Future<Output = kamaki::clients::Result<T>>,
    ) -> CliResult<T> {
        match call.await {
            Ok(value) => Ok(value),
            Err(error) => Err(self.object_error(error).await),
        }
    }

    /// Runs a call about the container, explaining its errors.
    pub async fn on_container<T>(
        &self,
        call: impl Future<Output = kamaki::clients::Result<T>>,
    ) -> CliResult<T> {
        call.await.map_err(|e| self.container_error(e))
    }
}

/// Container names cannot hold `/`.
fn check_container_name(container: &str) -> CliResult<()> {
    if container.contains('/') {
        return Err(CliError::new(format!(
            "Invalid container name {container}: \"/\" cannot be in a container name"
        )));
    }
    Ok(())
}

/// The error for a reply about `container`: a 404 says it does not exist.
pub fn container_error(container: &str, error: ClientError) -> CliError {
    match error.status() {
        404 => CliError::new(format!(
            "Container \"{container}\" does not exist (404): kamaki container create {container}"
        ))
        .detail(error.to_string()),
        _ => condition_error(&format!("/{container}"), error),
    }
}

/// The statuses of conditional requests, in kamaki's words; others as
/// they come.
pub fn condition_error(what: &str, error: ClientError) -> CliError {
    match error.status() {
        304 => not_modified(what),
        412 => CliError::new(format!(
            "{what}: precondition failed (412): its ETag or date does not meet --if-match / --if-unmodified-since"
        )),
        416 => CliError::new(format!(
            "{what}: range not satisfiable (416): check --range against the object's size"
        )),
        413 => CliError::new(format!(
            "{what}: over quota (413): see kamaki quota list, kamaki container info CONTAINER --size-limit"
        )),
        _ => error.into(),
    }
}

/// A condition said "not modified".
pub fn not_modified(what: &str) -> CliError {
    CliError::new(format!(
        "{what} is not modified (304): nothing to show for --if-none-match / --if-modified-since"
    ))
}

/// Whether a content type is one of a directory object.
pub fn is_dir_type(content_type: &str) -> bool {
    ["application/directory", "application/folder"]
        .iter()
        .any(|t| content_type.contains(t))
}

/// Whether a listed object is a directory object.
pub fn is_dir(object: &ObjectListing) -> bool {
    object.content_type.as_deref().is_some_and(is_dir_type)
}

/// Whether object headers are those of a directory object.
pub fn headers_are_dir(headers: &Headers) -> bool {
    headers.get("content-type").is_some_and(|t| is_dir_type(t))
}

/// A JSON value of anything serialisable.
pub fn to_value<T: serde::Serialize>(value: &T) -> CliResult<Value> {
    serde_json::to_value(value).map_err(|e| CliError::new(format!("cannot render the result: {e}")))
}

/// `<n> (<human size>)`, as kamaki shows `bytes` in details.
fn bytes_field(map: &mut Map<String, Value>) {
    if let Some(bytes) = map.get("bytes").and_then(Value::as_u64) {
        map.insert(
            "bytes".into(),
            Value::from(format!("{bytes} ({})", format_size(bytes))),
        );
    }
}

/// The `N. ` prefix of enumerated lines, numbers right-aligned.
fn number(index: usize, count: usize) -> String {
    let width = count.to_string().len();
    format!("{:>width$}. ", index + 1)
}

/// kamaki's object lines: `[N. ]<size, 9 wide> <name>`, `D` and a
/// trailing `/` for directories; with `details` the name then every field.
/// Virtual directories (`subdir`) are skipped.
pub fn object_lines(objects: &[ListedObject], details: bool, enumerate: bool) -> CliResult<String> {
    let objects: Vec<&ObjectListing> = objects.iter().filter_map(|o| o.as_object()).collect();
    let mut out = String::new();
    for (i, object) in objects.iter().enumerate() {
        let prefix = if enumerate {
            number(i, objects.len())
        } else {
            String::new()
        };
        let name = escape_ctrl(&object.name);
        let dir = is_dir(object);
        if details {
            out.push_str(&format!("{prefix}{name}\n"));
            let Value::Object(mut map) = to_value(object)? else {
                continue;
            };
            map.remove("name");
            if !dir {
                bytes_field(&mut map);
            }
            for line in human(&Value::Object(map)).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        } else {
            let size = if dir {
                "D".to_string()
            } else {
                format_size(object.bytes)
            };
            let slash = if dir { "/" } else { "" };
            out.push_str(&format!("{prefix}{size:>9} {name}{slash}\n"));
        }
    }
    Ok(out)
}

/// kamaki's container lines: `name (size, N objects)`; with `details` the
/// name then every field.
pub fn container_lines(
    containers: &[ContainerListing],
    details: bool,
    enumerate: bool,
) -> CliResult<String> {
    let mut out = String::new();
    for (i, container) in containers.iter().enumerate() {
        let prefix = if enumerate {
            format!("{}. ", i + 1)
        } else {
            String::new()
        };
        let name = escape_ctrl(&container.name);
        if details {
            out.push_str(&format!("{prefix}{name}\n"));
            let Value::Object(mut map) = to_value(container)? else {
                continue;
            };
            map.remove("name");
            bytes_field(&mut map);
            for line in human(&Value::Object(map)).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        } else {
            out.push_str(&format!(
                "{prefix}{name} ({}, {} objects)\n",
                format_size(container.bytes),
                container.count
            ));
        }
    }
    Ok(out)
}

/// Writes text to stdout, or through the pager with `more`.
pub fn print_text(text: &str, more: bool) -> CliResult {
    if more {
        return crate::commands::common::page(text);
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Headers as a JSON object, or only those starting with `prefix`, the
/// prefix cut off (kamaki's `--metadata` views).
pub fn headers_value(headers: &Headers, strip: Option<&str>) -> Value {
    let map: Map<String, Value> = headers
        .iter()
        .filter_map(|(k, v)| match strip {
            Some(prefix) => k
                .strip_prefix(prefix)
                .map(|rest| (rest.to_string(), Value::from(v.clone()))),
            None => Some((k.clone(), Value::from(v.clone()))),
        })
        .collect();
    Value::Object(map)
}

/// A date as an HTTP date header value (`Sun, 06 Nov 1994 08:49:37 GMT`).
/// kamaki sent the raw epoch number, which servers do not understand.
pub fn http_date(date: &OffsetDateTime) -> String {
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    date.to_offset(UtcOffset::UTC)
        .format(format)
        .unwrap_or_else(|_| date.unix_timestamp().to_string())
}

/// A date as the `until` parameter (Unix seconds).
pub fn until_param(date: &OffsetDateTime) -> String {
    date.unix_timestamp().to_string()
}

/// A Unix timestamp as kamaki shows version dates (`dd-mm-YYYY HH:MM:SS`,
/// local time).
pub fn version_date(timestamp: f64) -> String {
    version_date_in(timestamp, &crate::local_time::system_zone())
}

/// [`version_date`] on the clocks of `zone`.
pub fn version_date_in(timestamp: f64, zone: &jiff::tz::TimeZone) -> String {
    let format = format_description!("[day]-[month]-[year] [hour]:[minute]:[second]");
    OffsetDateTime::from_unix_timestamp(timestamp.trunc() as i64)
        .ok()
        .map(|d| crate::local_time::to_zone(d, zone))
        .and_then(|d| d.format(format).ok())
        .unwrap_or_else(|| timestamp.to_string())
}

/// The entries of a Pithos JSON listing as the server sent them (for
/// `--output-format json`), page after page: `page(marker)` sends one
/// request; `one_page` stops after the first (`-n`). Entries whose name
/// (or `subdir`) is not in `keep` are left out, so the typed listing's
/// filters decide what is shown.
pub async fn raw_listing<F, Fut>(
    one_page: bool,
    keep: &std::collections::HashSet<String>,
    page: F,
) -> CliResult<Vec<Value>>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = kamaki::clients::Result<kamaki::clients::Response>>,
{
    let name_of = |v: &Value| {
        v.get("name")
            .or_else(|| v.get("subdir"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut all = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let reply = page(marker.clone()).await?;
        if reply.status() == 204 || reply.body().is_empty() {
            break;
        }
        let items: Vec<Value> = reply.json()?;
        let last = items.last().and_then(name_of);
        let count = items.len();
        all.extend(items);
        if one_page || count < 10_000 || last.is_none() || last == marker {
            break;
        }
        marker = last;
    }
    all.retain(|v| name_of(v).is_some_and(|n| keep.contains(&n)));
    Ok(all)
}

/// Asks a yes/no question on stderr (answered on stdin); `yes` skips it.
/// No answer (end of input) is no.
pub fn confirm(question: &str, yes: bool) -> bool {
    if yes {
        return true;
    }
    eprint!("{question} [y/N]: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// Parses `auto` or `none` (any case): a container's versioning.
pub fn parse_versioning(text: &str) -> Result<String, String> {
    let text = text.to_lowercase();
    match text.as_str() {
        "auto" | "none" => Ok(text),
        _ => Err("versioning is auto or none".into()),
    }
}

/// Parses a boolean: true/false, yes/no, on/off, 1/0 (any case).
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(format!("{text:?} is neither true nor false")),
    }
}

/// Parses a date argument (clap value parser).
pub fn parse_date_arg(text: &str) -> Result<OffsetDateTime, String> {
    crate::args::parse_date(text).map_err(|e| e.message)
}

/// Parses a size argument (clap value parser).
pub fn parse_size_arg(text: &str) -> Result<u64, String> {
    crate::args::parse_size(text).map_err(|e| e.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kamaki::clients::storage::ObjectListing;

    fn object(name: &str, bytes: u64, content_type: &str) -> ListedObject {
        ListedObject::Object(ObjectListing {
            name: name.into(),
            bytes,
            content_type: Some(content_type.into()),
            ..ObjectListing::default()
        })
    }

    #[test]
    fn object_lines_as_kamaki_prints_them() {
        let objects = vec![
            object("a.txt", 1536, "text/plain"),
            object("dir", 0, "application/directory"),
            ListedObject::Subdir {
                subdir: "x/".into(),
            },
        ];
        assert_eq!(
            object_lines(&objects, false, false).unwrap(),
            "  1.5 KiB a.txt\n        D dir/\n"
        );
        assert_eq!(
            object_lines(&objects, false, true).unwrap(),
            "1.   1.5 KiB a.txt\n2.         D dir/\n"
        );
        let details = object_lines(&objects[..1], true, false).unwrap();
        assert!(details.starts_with("a.txt\n"), "{details}");
        assert!(details.contains("    bytes: 1536 (1.5 KiB)\n"), "{details}");
    }

    #[test]
    fn container_lines_as_kamaki_prints_them() {
        let c = ContainerListing {
            name: "pithos".into(),
            count: 3,
            bytes: 4 << 20,
            ..ContainerListing::default()
        };
        assert_eq!(
            container_lines(&[c], false, false).unwrap(),
            "pithos (4 MiB, 3 objects)\n"
        );
    }

    #[test]
    fn dates_for_pithos() {
        let utc = jiff::tz::TimeZone::UTC;
        let date = crate::args::parse_date_in("2024-01-02 10:00:00", &utc).unwrap();
        assert_eq!(http_date(&date), "Tue, 02 Jan 2024 10:00:00 GMT");
        assert_eq!(until_param(&date), "1704189600");
        assert_eq!(
            version_date_in(1_704_189_600.5, &utc),
            "02-01-2024 10:00:00"
        );
        let athens = jiff::tz::TimeZone::posix("EET-2EEST,M3.5.0/3,M10.5.0/4").unwrap();
        let date = crate::args::parse_date_in("2024-01-02 10:00:00", &athens).unwrap();
        assert_eq!(http_date(&date), "Tue, 02 Jan 2024 08:00:00 GMT");
        assert_eq!(
            version_date_in(1_704_189_600.5, &athens),
            "02-01-2024 12:00:00"
        );
    }

    #[test]
    fn argument_values() {
        assert_eq!(parse_versioning("AUTO").unwrap(), "auto");
        assert!(parse_versioning("sometimes").is_err());
        assert!(parse_bool("Yes").unwrap());
        assert!(!parse_bool("0").unwrap());
        assert!(parse_bool("maybe").is_err());
    }
}
