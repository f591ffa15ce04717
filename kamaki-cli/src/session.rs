//! A command's session: the configuration, the cloud chosen, and clients of
//! its services built from the catalog (or from `cloud.<n>.<service>_url`).

use std::path::PathBuf;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::{Client, ClientBuilder, Service};

use crate::config::Config;
use crate::error::{CliError, CliResult};
use crate::global_args::GlobalArgs;

/// The configuration and the settings every client of this run shares.
#[derive(Debug)]
pub struct Session {
    /// The configuration, overrides applied.
    pub config: Config,
    ca_certs: Option<PathBuf>,
    insecure: bool,
    log_token: bool,
    cloud: Option<CloudAccess>,
    astakos: Option<AstakosClient>,
}

/// The chosen cloud and its credentials.
#[derive(Clone, Debug)]
pub struct CloudAccess {
    /// The cloud's name in the config.
    pub name: String,
    /// Its authentication URL.
    pub url: String,
    /// Its tokens (the first is the session user's).
    pub tokens: Vec<String>,
}

impl Session {
    /// Loads the config and applies the global options.
    pub fn new(args: &GlobalArgs) -> CliResult<Self> {
        let path = Config::path_for(args.config.as_deref());
        if args.config.is_some() && !path.exists() {
            return Err(CliError::new(format!(
                "config file {} does not exist",
                path.display()
            )));
        }
        let mut config = Config::load(&path)?;
        for spec in &args.options {
            config.add_override(spec)?;
        }
        let ca_certs = args.ca_certs.clone().or_else(|| {
            config
                .get_global("ca_certs")
                .filter(|p| !p.trim().is_empty())
                .map(PathBuf::from)
        });
        let insecure = args.ignore_ssl || config.flag("ignore_ssl");
        let log_token = config.flag("log_token");
        crate::logging::set_log_data(config.flag("log_data"));
        crate::logging::set(args.verbose, args.debug);
        Ok(Session {
            config,
            ca_certs,
            insecure,
            log_token,
            cloud: None,
            astakos: None,
        })
    }

    /// The cloud to use: `--cloud`, else `default_cloud`, else
    /// `$KAMAKI_DEFAULT_CLOUD`, else the only one configured.
    pub fn cloud(&mut self, requested: Option<&str>) -> CliResult<CloudAccess> {
        if let Some(cloud) = &self.cloud {
            return Ok(cloud.clone());
        }
        let clouds = self.config.clouds();
        let name = match requested {
            Some(name) => name.to_string(),
            None => match self
                .config
                .get_global("default_cloud")
                .filter(|n| !n.is_empty())
                .or_else(|| std::env::var("KAMAKI_DEFAULT_CLOUD").ok().filter(|n| !n.is_empty()))
            {
                Some(name) => name,
                None if clouds.len() == 1 => clouds.keys().next().cloned().unwrap_or_default(),
                None if clouds.is_empty() => {
                    return Err(CliError::new(format!(
                        "no cloud is configured in {}: kamaki config set cloud.<name>.url URL; kamaki config set cloud.<name>.token TOKEN",
                        self.config.path().display()
                    )))
                }
                None => {
                    let names: Vec<&str> = clouds.keys().map(String::as_str).collect();
                    return Err(CliError::new(format!(
                        "several clouds are configured ({}): choose one with --cloud NAME or kamaki config set default_cloud NAME",
                        names.join(", ")
                    )));
                }
            },
        };
        if !clouds.contains_key(&name) {
            return Err(CliError::new(format!(
                "no cloud \"{name}\" in {}: kamaki config set cloud.{name}.url URL; kamaki config set cloud.{name}.token TOKEN",
                self.config.path().display()
            )));
        }
        let url = self
            .config
            .get_cloud(&name, "url")
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| CliError::new(format!("No authentication URL provided for cloud \"{name}\" (kamaki config set cloud.{name}.url URL)")))?;
        let tokens: Vec<String> = self
            .config
            .get_cloud(&name, "token")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if tokens.is_empty() {
            return Err(CliError::new(format!(
                "No TOKEN provided for cloud \"{name}\" (kamaki config set cloud.{name}.token TOKEN)"
            )));
        }
        let cloud = CloudAccess { name, url, tokens };
        self.cloud = Some(cloud.clone());
        Ok(cloud)
    }

    /// A builder with this run's TLS and logging settings.
    pub fn builder(&self, url: &str, token: &str) -> ClientBuilder {
        let mut builder = Client::builder(url)
            .token(token)
            .log_token(self.log_token)
            .danger_accept_invalid_certs(self.insecure);
        if let Some(ca) = &self.ca_certs {
            builder = builder.ca_certs(ca);
        }
        builder
    }

    /// The identity client of the session user (the cloud's first token),
    /// made once per run so that the catalog is fetched once.
    pub fn astakos(&mut self, requested_cloud: Option<&str>) -> CliResult<AstakosClient> {
        if let Some(astakos) = &self.astakos {
            return Ok(astakos.clone());
        }
        let cloud = self.cloud(requested_cloud)?;
        let astakos = self.astakos_for(&cloud.url, &cloud.tokens[0])?;
        self.astakos = Some(astakos.clone());
        Ok(astakos)
    }

    /// An identity client for another token.
    pub fn astakos_for(&self, url: &str, token: &str) -> CliResult<AstakosClient> {
        let url = self
            .cloud
            .as_ref()
            .and_then(|c| self.config.get_cloud(&c.name, "astakos_url"))
            .unwrap_or_else(|| url.to_string());
        Ok(self.builder(&url, token).build_service()?)
    }

    /// A client of a service, found through `cloud.<n>.<service>_url` or the
    /// catalog (type `cloud.<n>.<service>_type`, default the client's, and
    /// version `cloud.<n>.<service>_version`), with `<service>_token` or the
    /// session token. `service` is kamaki's name: `cyclades`, `network`,
    /// `volume`, `plankton`, `pithos`, `astakos`.
    pub async fn service<S: Service>(
        &mut self,
        requested_cloud: Option<&str>,
        service: &str,
    ) -> CliResult<S> {
        let cloud = self.cloud(requested_cloud)?;
        let option = |key: &str| {
            self.config
                .get_cloud(&cloud.name, &format!("{service}_{key}"))
                .filter(|v| !v.is_empty())
        };
        let token = option("token").unwrap_or_else(|| cloud.tokens[0].clone());
        let (url, service_type, version) = (option("url"), option("type"), option("version"));
        let url = match url {
            Some(url) => url,
            None => {
                let astakos = self.astakos(requested_cloud)?;
                let service_type = service_type.unwrap_or_else(|| S::SERVICE_TYPE.to_string());
                let found = match version {
                    Some(version) => {
                        astakos
                            .get_endpoint_url_for_version(&service_type, &version)
                            .await
                    }
                    None => astakos.get_endpoint_url(&service_type).await,
                };
                found.map_err(|e| match e {
                    kamaki::clients::ClientError::NotFound(m) => CliError::new(format!(
                        "No URL for {service}: {m} (kamaki config set cloud.{}.{service}_url URL)",
                        cloud.name
                    )),
                    // The authentication URL answered 404: it is no
                    // Astakos identity endpoint.
                    other if other.status() == 404 => CliError::from(other).hint(&format!(
                        "is {} the cloud's authentication URL? check it: kamaki config get cloud.{}.url",
                        cloud.url, cloud.name
                    )),
                    other => other.into(),
                })?
            }
        };
        Ok(self.builder(&url, &token).build_service()?)
    }
}
