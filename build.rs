//! The one build script of every service crate (`build = "../../build.rs"`): regenerates the crate's
//! sqlgen package from `sqlgen.yaml` when its SQL changes, and only then.

fn main() {
    codegen::build::run_build_script();
}
