//! kamaki's configuration file (`~/.kamakirc`): INI with a `[global]`
//! section and one `[cloud "<name>"]` section per cloud, read and written
//! so that a file the Python kamaki wrote works unchanged, and the other way
//! round.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// The environment variable that names another config file.
pub const CONFIG_ENV: &str = "KAMAKI_CONFIG";

/// The first line of a written file (the Python kamaki writes the same).
const HEADER: &str = "# Kamaki configuration file v0.17";

/// The command groups and the module kamaki's defaults give them; a group is
/// enabled when its `<group>_cli` key exists.
pub const GROUP_DEFAULTS: &[(&str, &str)] = &[
    ("user", "astakos"),
    ("quota", "astakos"),
    ("resource", "astakos"),
    ("project", "astakos"),
    ("membership", "astakos"),
    ("file", "pithos"),
    ("container", "pithos"),
    ("sharer", "pithos"),
    ("group", "pithos"),
    ("server", "cyclades"),
    ("flavor", "cyclades"),
    ("keypair", "cyclades"),
    ("network", "network"),
    ("subnet", "network"),
    ("port", "network"),
    ("ip", "network"),
    ("volume", "blockstorage"),
    ("snapshot", "blockstorage"),
    ("image", "image"),
    ("imagecompute", "image"),
    ("config", "config"),
    ("history", "history"),
    ("scripts", "contrib.scripts"),
];

/// The built-in values of the `[global]` options.
pub fn global_defaults() -> BTreeMap<String, String> {
    let home = home_dir();
    let mut defaults: BTreeMap<String, String> = [
        ("default_cloud", String::new()),
        ("colors", "off".into()),
        // No log_file: this kamaki writes no log file (its trace goes to
        // stderr with -v/-d), so it shows none it would not write.
        ("log_token", "off".into()),
        ("log_data", "off".into()),
        ("log_pid", "off".into()),
        (
            "history_file",
            home.join(".kamaki.history").display().to_string(),
        ),
        ("history_limit", "0".into()),
        ("ignore_ssl", "off".into()),
        (
            "ca_certs",
            kamaki::defaults::CACERTS_DEFAULT_PATH
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (group, module) in GROUP_DEFAULTS {
        defaults.insert(format!("{group}_cli"), module.to_string());
    }
    defaults
}

/// The user's home directory.
pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What an option name points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionPath {
    /// `[global.]key`.
    Global(String),
    /// `cloud.<name>.key`.
    CloudKey(String, String),
    /// `cloud.<name>`: the whole section.
    Cloud(String),
    /// `cloud`: every cloud.
    Clouds,
}

impl OptionPath {
    /// Parses `key`, `global.key`, `cloud`, `cloud.<name>` or
    /// `cloud.<name>.key` (a cloud name may hold dots: the key is the part
    /// after the last one).
    pub fn parse(option: &str) -> Result<Self, CliError> {
        let option = option.trim();
        if option.is_empty() {
            return Err(CliError::new("empty option name"));
        }
        if option == "cloud" {
            return Ok(OptionPath::Clouds);
        }
        if let Some(rest) = option.strip_prefix("cloud.") {
            return match rest.rsplit_once('.') {
                Some((name, key)) if !name.is_empty() && !key.is_empty() => {
                    check_cloud_name(name)?;
                    Ok(OptionPath::CloudKey(name.to_string(), key.to_string()))
                }
                _ => {
                    check_cloud_name(rest)?;
                    Ok(OptionPath::Cloud(rest.to_string()))
                }
            };
        }
        let key = option.strip_prefix("global.").unwrap_or(option);
        if key.contains('.') || key.is_empty() {
            return Err(CliError::new(format!("invalid option {option:?}"))
                .detail("options are KEY or global.KEY or cloud.<name>.KEY"));
        }
        Ok(OptionPath::Global(key.to_string()))
    }
}

fn check_cloud_name(name: &str) -> Result<(), CliError> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "~@#$.:-_".contains(c));
    if valid {
        Ok(())
    } else {
        Err(CliError::new(format!("invalid cloud name {name:?}"))
            .detail("cloud names may hold letters, digits and ~@#$.:-_"))
    }
}

/// The configuration: the file's contents, runtime overrides, and defaults.
#[derive(Clone, Debug, Default)]
pub struct Config {
    path: PathBuf,
    exists: bool,
    global: BTreeMap<String, String>,
    clouds: BTreeMap<String, BTreeMap<String, String>>,
    overrides: BTreeMap<String, String>,
}

impl Config {
    /// The file to use: `--config`, else `$KAMAKI_CONFIG`, else `~/.kamakirc`.
    pub fn path_for(explicit: Option<&Path>) -> PathBuf {
        if let Some(path) = explicit {
            return path.to_path_buf();
        }
        match std::env::var_os(CONFIG_ENV) {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => home_dir().join(".kamakirc"),
        }
    }

    /// Loads the file; a missing file is an empty configuration (it is
    /// created on the first `config set`), an unreadable or malformed one
    /// an error that names it.
    pub fn load(path: &Path) -> Result<Self, CliError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config {
                    path: path.to_path_buf(),
                    ..Config::default()
                })
            }
            Err(e) => {
                return Err(CliError::new(format!(
                    "cannot read config file {}: {e}",
                    path.display()
                )))
            }
        };
        let mut config = Config::parse(&text).map_err(|e| {
            CliError::new(format!("config file {}: {e}", path.display()))
                .detail("fix the file, or point --config elsewhere")
        })?;
        config.path = path.to_path_buf();
        config.exists = true;
        Ok(config)
    }

    /// Parses the INI text (`key = value` or `key: value`, `#`/`;`
    /// comments, indented continuation lines).
    pub fn parse(text: &str) -> Result<Self, String> {
        enum Section {
            None,
            Global,
            Cloud(String),
            Other,
        }
        let mut config = Config::default();
        let mut section = Section::None;
        let mut last_key: Option<String> = None;
        for (number, raw) in text.lines().enumerate() {
            let line_no = number + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if raw.starts_with([' ', '\t']) {
                if let Some(key) = &last_key {
                    let target = match &section {
                        Section::Global => config.global.get_mut(key),
                        Section::Cloud(name) => {
                            config.clouds.get_mut(name).and_then(|c| c.get_mut(key))
                        }
                        _ => None,
                    };
                    if let Some(value) = target {
                        value.push('\n');
                        value.push_str(trimmed);
                        continue;
                    }
                }
            }
            if let Some(header) = trimmed.strip_prefix('[') {
                let header = header
                    .strip_suffix(']')
                    .ok_or_else(|| format!("line {line_no}: unclosed section header"))?
                    .trim();
                last_key = None;
                section = if header == "global" {
                    Section::Global
                } else if let Some(rest) = header.strip_prefix("cloud") {
                    let name = rest.trim().trim_matches('"').trim();
                    check_cloud_name(name).map_err(|e| format!("line {line_no}: {}", e.message))?;
                    config.clouds.entry(name.to_string()).or_default();
                    Section::Cloud(name.to_string())
                } else {
                    Section::Other
                };
                continue;
            }
            let split = trimmed.find(['=', ':']).ok_or_else(|| {
                format!("line {line_no}: expected KEY = VALUE, found {trimmed:?}")
            })?;
            let key = trimmed[..split].trim().to_lowercase();
            let value = trimmed[split + 1..].trim().to_string();
            match &section {
                Section::Global => {
                    config.global.insert(key.clone(), value);
                }
                Section::Cloud(name) => {
                    config
                        .clouds
                        .entry(name.clone())
                        .or_default()
                        .insert(key.clone(), value);
                }
                Section::None => return Err(format!("line {line_no}: option outside a section")),
                Section::Other => {}
            }
            last_key = Some(key);
        }
        Ok(config)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file existed when loaded.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// Applies a `-o SECTION.KEY=VAL` runtime override (not saved).
    pub fn add_override(&mut self, spec: &str) -> Result<(), CliError> {
        let (option, value) = spec.split_once('=').ok_or_else(|| {
            CliError::new(format!("invalid override {spec:?}"))
                .detail("use -o KEY=VALUE or -o global.KEY=VALUE")
        })?;
        match OptionPath::parse(option)? {
            OptionPath::Global(key) => {
                self.overrides.insert(key, value.to_string());
            }
            OptionPath::CloudKey(cloud, key) => {
                self.clouds
                    .entry(cloud)
                    .or_default()
                    .insert(key, value.to_string());
            }
            _ => {
                return Err(CliError::new(format!(
                    "cannot override {option:?}: name a key"
                )))
            }
        }
        Ok(())
    }

    /// A global option: override, else file, else default.
    pub fn get_global(&self, key: &str) -> Option<String> {
        self.overrides
            .get(key)
            .or_else(|| self.global.get(key))
            .cloned()
            .or_else(|| global_defaults().remove(key))
    }

    /// A global option read as on/off.
    pub fn flag(&self, key: &str) -> bool {
        matches!(
            self.get_global(key)
                .as_deref()
                .map(str::to_lowercase)
                .as_deref(),
            Some("on" | "yes" | "true" | "1")
        )
    }

    /// A cloud's option.
    pub fn get_cloud(&self, cloud: &str, key: &str) -> Option<String> {
        self.clouds.get(cloud).and_then(|c| c.get(key)).cloned()
    }

    /// Every cloud's options.
    pub fn clouds(&self) -> &BTreeMap<String, BTreeMap<String, String>> {
        &self.clouds
    }

    /// Every global option in the file (no defaults).
    pub fn global_in_file(&self) -> &BTreeMap<String, String> {
        &self.global
    }

    /// Sets an option (in memory; [`Config::write`] saves).
    pub fn set(&mut self, option: &OptionPath, value: &str) -> Result<(), CliError> {
        match option {
            OptionPath::Global(key) => {
                self.global.insert(key.clone(), value.to_string());
            }
            OptionPath::CloudKey(cloud, key) => {
                self.clouds
                    .entry(cloud.clone())
                    .or_default()
                    .insert(key.clone(), value.to_string());
            }
            OptionPath::Cloud(name) => {
                return Err(
                    CliError::new(format!("cannot set cloud.{name}: name a key")).detail(format!(
                        "e.g. kamaki config set cloud.{name}.url https://..."
                    )),
                )
            }
            OptionPath::Clouds => {
                return Err(CliError::new("cannot set cloud: name a cloud and a key"))
            }
        }
        Ok(())
    }

    /// Deletes an option; returns whether there was one.
    pub fn delete(&mut self, option: &OptionPath) -> bool {
        match option {
            OptionPath::Global(key) => self.global.remove(key).is_some(),
            OptionPath::CloudKey(cloud, key) => {
                let removed = self
                    .clouds
                    .get_mut(cloud)
                    .and_then(|c| c.remove(key))
                    .is_some();
                if self.clouds.get(cloud).is_some_and(|c| c.is_empty()) {
                    self.clouds.remove(cloud);
                }
                removed
            }
            OptionPath::Cloud(name) => self.clouds.remove(name).is_some(),
            OptionPath::Clouds => {
                let had = !self.clouds.is_empty();
                self.clouds.clear();
                had
            }
        }
    }

    /// The file's text as [`Config::write`] writes it.
    pub fn render(&self) -> String {
        let mut out = format!("{HEADER}\n[global]\n");
        for (key, value) in &self.global {
            out.push_str(&format!("{key} = {}\n", value.replace('\n', "\n\t")));
        }
        for (name, options) in &self.clouds {
            out.push_str(&format!("\n[cloud \"{name}\"]\n"));
            for (key, value) in options {
                out.push_str(&format!("{key} = {}\n", value.replace('\n', "\n\t")));
            }
        }
        out
    }

    /// Writes the file (mode 0600: it holds tokens), through a temporary
    /// file renamed into place so that a failure never leaves half a file.
    pub fn write(&self) -> Result<(), CliError> {
        let path = &self.path;
        let fail = |e: std::io::Error| {
            CliError::new(format!("cannot write config file {}: {e}", path.display()))
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&tmp).map_err(fail)?;
            file.write_all(self.render().as_bytes()).map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYTHON_WRITTEN: &str = "# Kamaki configuration file v0.16\n[global]\ndefault_cloud = mycloud\ncolors = on\n\n[cloud \"mycloud\"]\nurl = https://accounts.example.org/identity/v2.0\ntoken = tok1 tok2\n\n[cloud \"other.cloud\"]\nurl: https://x/identity/v2.0\ntoken = t\n  continued\n";

    #[test]
    fn reads_what_python_kamaki_writes() {
        let config = Config::parse(PYTHON_WRITTEN).unwrap();
        assert_eq!(
            config.get_global("default_cloud").as_deref(),
            Some("mycloud")
        );
        assert!(config.flag("colors"));
        assert!(!config.flag("ignore_ssl"));
        assert_eq!(
            config.get_cloud("mycloud", "token").as_deref(),
            Some("tok1 tok2")
        );
        assert_eq!(
            config.get_cloud("other.cloud", "url").as_deref(),
            Some("https://x/identity/v2.0")
        );
        assert_eq!(
            config.get_cloud("other.cloud", "token").as_deref(),
            Some("t\ncontinued")
        );
        assert_eq!(
            config.get_global("file_cli").as_deref(),
            Some("pithos"),
            "defaults fill in"
        );
    }

    #[test]
    fn render_round_trips() {
        let config = Config::parse(PYTHON_WRITTEN).unwrap();
        let again = Config::parse(&config.render()).unwrap();
        assert_eq!(again.global, config.global);
        assert_eq!(again.clouds, config.clouds);
        assert!(config
            .render()
            .starts_with("# Kamaki configuration file v0.17\n[global]\n"));
    }

    #[test]
    fn malformed_files_are_errors_with_line_numbers() {
        assert!(Config::parse("[global\nx=1")
            .unwrap_err()
            .contains("line 1"));
        assert!(Config::parse("[global]\njunk")
            .unwrap_err()
            .contains("line 2"));
        assert!(Config::parse("x = 1")
            .unwrap_err()
            .contains("outside a section"));
        assert!(Config::parse("[cloud \"bad name!\"]")
            .unwrap_err()
            .contains("invalid cloud name"));
    }

    #[test]
    fn option_paths() {
        assert_eq!(
            OptionPath::parse("colors").unwrap(),
            OptionPath::Global("colors".into())
        );
        assert_eq!(
            OptionPath::parse("global.colors").unwrap(),
            OptionPath::Global("colors".into())
        );
        assert_eq!(OptionPath::parse("cloud").unwrap(), OptionPath::Clouds);
        assert_eq!(
            OptionPath::parse("cloud.a").unwrap(),
            OptionPath::Cloud("a".into())
        );
        assert_eq!(
            OptionPath::parse("cloud.my.cloud.url").unwrap(),
            OptionPath::CloudKey("my.cloud".into(), "url".into())
        );
        assert!(OptionPath::parse("a.b").is_err());
        assert!(OptionPath::parse("").is_err());
    }

    #[test]
    fn set_delete_and_overrides() {
        let mut config = Config::default();
        config
            .set(&OptionPath::parse("cloud.c.url").unwrap(), "http://h")
            .unwrap();
        assert!(config
            .set(&OptionPath::parse("cloud.c").unwrap(), "x")
            .is_err());
        config.add_override("colors=on").unwrap();
        assert!(config.flag("colors"));
        assert!(config.add_override("nonsense").is_err());
        assert!(config.delete(&OptionPath::parse("cloud.c.url").unwrap()));
        assert!(config.clouds().is_empty(), "an emptied cloud goes away");
        assert!(!config.delete(&OptionPath::parse("cloud.c.url").unwrap()));
    }

    #[test]
    fn write_is_private_and_atomic() {
        let dir = std::env::temp_dir().join(format!("kamaki-cli-config-{}", std::process::id()));
        let path = dir.join("sub").join("kamakirc");
        let mut config = Config::load(&path).unwrap();
        assert!(!config.exists());
        config
            .set(&OptionPath::parse("cloud.c.token").unwrap(), "secret")
            .unwrap();
        config.write().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let loaded = Config::load(&path).unwrap();
        assert_eq!(loaded.get_cloud("c", "token").as_deref(), Some("secret"));
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_errors_without_panic(text in ".{0,400}") {
            let _ = Config::parse(&text);
        }

        #[test]
        fn what_is_rendered_reads_back(
            global in proptest::collection::btree_map("[a-z_]{1,10}", "[^\n\r]{0,20}", 0..5),
            clouds in proptest::collection::btree_map("[a-z0-9.~@-]{1,8}", proptest::collection::btree_map("[a-z_]{1,8}", "[^\n\r]{0,20}", 1..4), 0..3),
        ) {
            let mut config = Config::default();
            for (k, v) in &global {
                config.global.insert(k.clone(), v.trim().to_string());
            }
            for (name, options) in &clouds {
                for (k, v) in options {
                    config.clouds.entry(name.clone()).or_default().insert(k.clone(), v.trim().to_string());
                }
            }
            let again = Config::parse(&config.render()).unwrap();
            proptest::prop_assert_eq!(again.global, config.global);
            proptest::prop_assert_eq!(again.clouds, config.clouds);
        }
    }
}
