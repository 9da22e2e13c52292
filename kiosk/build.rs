//! Compiles the Slint UI. Debug builds (tests) keep element debug info, which the testing
//! backend needs to find elements by their accessible labels; release builds leave it out.
fn main() {
    let debug = std::env::var("PROFILE").as_deref() != Ok("release");
    let config = slint_build::CompilerConfiguration::new()
        .with_debug_info(debug)
        .with_bundled_translations("lang");
    slint_build::compile_with_config("ui/app.slint", config).expect("the Slint UI compiles");
    println!("cargo:rerun-if-changed=lang");
}
