//! The one Tokio runtime every call of the module runs on, and the bridge
//! from a blocking Python call to it.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

use crate::errors::to_py;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// How often a call that waits looks for a signal (Ctrl-C) to handle.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

fn runtime() -> PyResult<&'static Runtime> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("kamaki")
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("kamaki cannot start its runtime: {e}")))?;
    // Two threads may race to build it; the loser's runtime is dropped.
    Ok(RUNTIME.get_or_init(|| built))
}

/// Runs `future` to its end with the interpreter lock released, so other
/// Python threads run meanwhile. A signal that Python handles with an
/// exception (Ctrl-C: `KeyboardInterrupt`) stops the call: the future is
/// dropped, which cancels its requests.
pub(crate) fn run<T, F>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = kamaki::clients::Result<T>> + Send,
    T: Send,
{
    let runtime = runtime()?;
    let outcome = py.detach(|| {
        let work = async {
            let interrupted = async {
                loop {
                    tokio::time::sleep(SIGNAL_CHECK).await;
                    // Handlers run on the main thread only; elsewhere this
                    // finds nothing to do.
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        return e;
                    }
                }
            };
            tokio::select! {
                result = future => Ok(result),
                error = interrupted => Err(error),
            }
        };
        match tokio::runtime::Handle::try_current() {
            // Called from the engine's own threads: a progress callback
            // that calls the client. The thread hands its other tasks over
            // and waits for this call.
            Ok(handle) => tokio::task::block_in_place(|| handle.block_on(work)),
            Err(_) => runtime.block_on(work),
        }
    });
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(to_py(py, error)),
        Err(interrupt) => Err(interrupt),
    }
}
