//! `acs_chat._acs_chat`: the native half of the `acs_chat` Python package.
//!
//! It only translates: Python arguments into engine calls on one shared tokio runtime (GIL released while
//! waiting), engine results into JSON text in the REST wire form, and engine errors into the exceptions of
//! `acs_chat.exceptions`. The 1.2.0-compatible object model lives in the pure-Python package.

#![warn(missing_docs)]

mod bridge;
mod clients;
mod credential;
mod emulator;
mod errors;
mod identity;
mod logging;
mod paging;
mod runtime;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _acs_chat(m: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::record_main_thread();
    logging::install();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<credential::PyCredential>()?;
    m.add_class::<clients::PyChatClient>()?;
    m.add_class::<clients::PyThreadClient>()?;
    m.add_class::<paging::PyPager>()?;
    m.add_class::<identity::PyIdentityClient>()?;
    m.add_class::<emulator::PyEmulator>()?;
    Ok(())
}
