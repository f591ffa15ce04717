//! What every command runs with: the context built from the global
//! options (the session and where to print). It sits below the command
//! groups, which all take a [`Ctx`].

use crate::global_args::GlobalArgs;
use crate::output::{Format, Output};
use crate::session::Session;

/// What every command gets: the session and where to print.
pub struct Ctx {
    /// The configuration and clients.
    pub session: Session,
    /// The global options.
    pub global: GlobalArgs,
    /// Where results go.
    pub out: Output,
}

impl Ctx {
    /// The context of a run.
    pub fn new(session: Session, global: GlobalArgs) -> Self {
        let format = match global.output_format.as_deref() {
            Some("json") => Format::Json,
            _ => Format::Human,
        };
        Ctx {
            session,
            global,
            out: Output { format },
        }
    }

    /// Whether results are printed as JSON.
    pub fn json(&self) -> bool {
        self.out.format == Format::Json
    }

    /// The identity client of the session user.
    pub fn astakos(&mut self) -> crate::error::CliResult<kamaki::clients::astakos::AstakosClient> {
        let cloud = self.global.cloud.clone();
        self.session.astakos(cloud.as_deref())
    }
}
