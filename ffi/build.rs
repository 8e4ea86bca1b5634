//! Gives the shared library a soname, so programs linked against it record `libacs_chat.so` (the installed
//! file name) rather than the path it was linked from.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libacs_chat.so");
    }
}
