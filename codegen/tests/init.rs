//! `sqlgen init`: the starter project generates, and a second init changes nothing.

#[test]
fn starter_project_generates_and_init_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("sqlgen-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let written = codegen::init::write_starter(&dir).unwrap();
    assert_eq!(written.len(), 3);

    let mut project = codegen::load(&dir.join("sqlgen.yaml"));
    let generated = project.generate(None);
    assert_eq!(project.render_diagnostics(), "");
    assert_eq!(generated.len(), 1);
    let names: Vec<&str> = generated[0].files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["mod.rs", "models.rs", "authors.rs"]);
    assert!(generated[0].out_dir.ends_with("src/db"));
    let authors = &generated[0].files[2].content;
    assert!(authors.contains("pub async fn create_author"), "{authors}");

    // A second run refuses, naming the existing file, and leaves the edited file alone.
    std::fs::write(dir.join("db/queries/authors.sql"), "-- mine\n").unwrap();
    std::fs::remove_file(dir.join("sqlgen.yaml")).unwrap();
    let err = codegen::init::write_starter(&dir).unwrap_err().to_string();
    assert!(err.contains("`db/queries/authors.sql`"), "{err}");
    assert!(!dir.join("sqlgen.yaml").exists(), "nothing may be written");
    assert_eq!(
        std::fs::read_to_string(dir.join("db/queries/authors.sql")).unwrap(),
        "-- mine\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
