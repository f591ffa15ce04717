//! Python progress callbacks called from the transfer engine's threads.

use std::sync::{Arc, Mutex};

use kamaki::clients::pithos::{progress_fn, Progress, ProgressFn};
use pyo3::prelude::*;

/// A Python callable `cb(done, total)` (bytes) as a [`ProgressFn`]. The
/// first exception it raises is kept for [`Callbacks::check`], and the
/// callback is not called again after it.
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    failure: Arc<Mutex<Option<PyErr>>>,
}

impl Callbacks {
    pub(crate) fn wrap(&self, callback: Option<Py<PyAny>>) -> Option<ProgressFn> {
        let callback = callback?;
        let failure = self.failure.clone();
        Some(progress_fn(move |p: Progress| {
            Python::attach(|py| {
                let mut failure = failure.lock().unwrap_or_else(|e| e.into_inner());
                if failure.is_some() {
                    return;
                }
                if let Err(e) = callback.call1(py, (p.done, p.total)) {
                    *failure = Some(e);
                }
            })
        }))
    }

    /// Raises what a callback raised, if one did.
    pub(crate) fn check(&self) -> PyResult<()> {
        match self
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}
