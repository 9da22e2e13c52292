//! The handwriting test data (`tests/data/handwriting-strokes.toml`): strokes of characters
//! written in stroke order on the pad, and the finger's path between their turning points.
#![allow(dead_code)]

use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Written {
    pub expect: String,
    pub strokes: Vec<Vec<(i32, i32)>>,
}

#[derive(Deserialize)]
struct File {
    char: Vec<Written>,
}

pub fn load(repo: &Path) -> Vec<Written> {
    let path = repo.join("tests/data/handwriting-strokes.toml");
    toml::from_str::<File>(&std::fs::read_to_string(path).unwrap()).unwrap().char
}

/// The points a finger reports along a stroke: every 8 px between the turning points.
pub fn finger_path(stroke: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut out = vec![stroke[0]];
    for w in stroke.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let steps = ((x1 - x0).abs().max((y1 - y0).abs()) / 8).max(1);
        for i in 1..=steps {
            out.push((x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps));
        }
    }
    out
}
