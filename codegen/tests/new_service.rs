//! `sqlgen new-service` on a copy of this workspace: both KongFlow flows (a service using the
//! shared entities, an independent one) are created, then built and tested there against
//! PostgreSQL; every refusal leaves the copy untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The workspace without build outputs and version control.
fn copy_workspace(to: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if matches!(name.as_str(), "target" | ".git" | "fuzz") {
                continue;
            }
            if p.is_dir() {
                copy(&p, &to.join(&name));
            } else {
                std::fs::copy(&p, to.join(&name)).unwrap();
            }
        }
    }
    let _ = std::fs::remove_dir_all(to);
    copy(&workspace(), to);
}

fn sqlgen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqlgen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Every file under `dir` with its content, to prove a refusal changed nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn last_migration_number(dir: &Path) -> u32 {
    std::fs::read_dir(dir.join("db/migrations"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.split('_').next()?.parse().ok()
        })
        .max()
        .unwrap()
}

#[test]
fn new_services_build_and_pass_their_tests_and_refusals_change_nothing() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("new-service-workspace");
    copy_workspace(&root);
    let config_before = std::fs::read_to_string(root.join("sqlgen.yaml")).unwrap();
    let last = last_migration_number(&root);

    // Refusals first, each on the untouched copy.
    let before = snapshot(&root);
    let outside = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("not-a-workspace");
    std::fs::create_dir_all(&outside).unwrap();
    for (dir, args, expected) in [
        (
            &root,
            vec!["new-service", "Billing"],
            "is not a valid crate name",
        ),
        (
            &root,
            vec!["new-service", "2fa"],
            "is not a valid crate name",
        ),
        (
            &root,
            vec!["new-service", "fn"],
            "is not a valid crate name",
        ),
        (
            &root,
            vec!["new-service", "api auth"],
            "is not a valid crate name",
        ),
        (
            &root,
            vec!["new-service", "apiauth"],
            "already in `sqlgen.yaml`",
        ),
        (&root, vec!["new-service", "testsupport"], "exists already"),
        (
            &root,
            vec!["new-service", "billing", "--uses", "shard"],
            "did you mean `shared`?",
        ),
        (
            &root,
            vec!["new-service", "billing", "--table", "users"],
            "owned by package `shared`",
        ),
        (
            &root,
            vec!["new-service", "billing", "--table", "Invoices"],
            "lower-case SQL name",
        ),
        (
            &outside,
            vec!["new-service", "billing"],
            "is not a sqlgen workspace",
        ),
    ] {
        let out = sqlgen(dir, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(expected), "{args:?}: {}", text(&out));
        assert!(snapshot(&root) == before, "{args:?} changed the workspace");
    }
    assert!(std::fs::read_dir(&outside).unwrap().next().is_none());

    // A service over the shared entities: one new table, one shared table it reads.
    let out = sqlgen(
        &root,
        &[
            "new-service",
            "billing",
            "--uses",
            "shared",
            "--table",
            "invoices",
            "--table",
            "projects",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    // An independent service: one table named after it.
    let out = sqlgen(&root, &["new-service", "notes"]);
    assert!(out.status.success(), "{}", text(&out));

    let config = std::fs::read_to_string(root.join("sqlgen.yaml")).unwrap();
    assert!(
        config.starts_with(&config_before),
        "the existing entries and comments are kept"
    );
    assert!(config.contains("  - name: billing\n"), "{config}");
    assert!(
        config.contains("        uses: [shared]\n        owns: [invoices]\n"),
        "{config}"
    );
    assert!(config.contains("  - name: notes\n"), "{config}");
    assert!(config.contains("        owns: [notes]\n"), "{config}");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\"services/billing\","), "{manifest}");
    assert!(manifest.contains("\"services/notes\","), "{manifest}");
    let migration = |n: u32, name: &str| {
        std::fs::read_to_string(root.join(format!("db/migrations/{n:03}_{name}.sql"))).unwrap()
    };
    let billing = migration(last + 1, "billing");
    assert!(billing.contains("CREATE TABLE invoices ("), "{billing}");
    assert!(
        billing.contains("REFERENCES organizations (id)"),
        "{billing}"
    );
    assert!(
        !billing.contains("CREATE TABLE projects"),
        "projects exists already"
    );
    assert!(migration(last + 2, "notes").contains("CREATE TABLE notes ("));
    let models = std::fs::read_to_string(root.join("services/billing/src/db/models.rs")).unwrap();
    assert!(
        models.contains("pub use shared::db::models::Organization;"),
        "{models}"
    );
    assert!(
        models.contains("pub use shared::db::models::Project;"),
        "{models}"
    );
    assert!(models.contains("pub struct Invoice {"), "{models}");
    assert!(!models.contains("pub struct Project {"), "{models}");
    // The second command with the same name is refused now that the service exists.
    let again = snapshot(&root);
    let out = sqlgen(&root, &["new-service", "notes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(snapshot(&root) == again);

    // The generator agrees the tree is up to date, and the new crates build and pass their tests.
    let out = sqlgen(&root, &["check"]);
    assert!(out.status.success(), "{}", text(&out));
    let fmt = Command::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(["billing", "notes"].iter().flat_map(|s| {
            ["src/repository.rs", "tests/repository.rs"]
                .map(|f| root.join(format!("services/{s}/{f}")))
        }))
        .output()
        .unwrap();
    assert!(fmt.status.success(), "{}", text(&fmt));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["test", "--offline", "-p", "billing", "-p", "notes"])
        .current_dir(&root)
        .env(
            "CARGO_TARGET_DIR",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("new-service-target"),
        )
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("invoices_are_created_read_listed_renamed_and_deleted ... ok"),
        "{log}"
    );
    assert!(log.contains("projects_can_be_listed ... ok"), "{log}");
    assert!(
        log.contains("notes_are_created_read_listed_renamed_and_deleted ... ok"),
        "{log}"
    );
}
