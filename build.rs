//! Rebuild when a template changes: `include_dir!` embeds templates/, but stable Rust cannot
//! tell cargo which files a macro read.

fn main() {
    println!("cargo:rerun-if-changed=templates");
}
