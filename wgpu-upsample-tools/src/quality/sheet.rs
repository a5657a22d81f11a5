//! Contact sheets: rows of labelled tiles, labels in the built-in 5×7 font.

use super::font::{ADVANCE, GLYPH_HEIGHT, draw_text, text_width};
use super::image::Image;

/// One tile: an image and the lines of text printed under it.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The image (any number of channels; drawn as RGB).
    pub image: Image,
    /// Caption lines (wrapped at spaces to the tile's width; a longer word is clipped).
    pub caption: Vec<String>,
}

/// One row of the sheet: a title printed above it, then its tiles left to right.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's title.
    pub title: String,
    /// The tiles.
    pub tiles: Vec<Tile>,
}

const GAP: usize = 6;
const LINE: usize = GLYPH_HEIGHT + 3;

impl Tile {
    /// The caption as drawn: each line wrapped at spaces to the tile's width in the 5×7 font,
    /// words longer than that clipped.
    fn caption_lines(&self) -> Vec<String> {
        let max_chars = (self.image.width / ADVANCE).max(1);
        let mut lines = Vec::new();
        for line in &self.caption {
            let mut current = String::new();
            for word in line.split(' ') {
                let word: String = word.chars().take(max_chars).collect();
                if current.is_empty() {
                    current = word;
                } else if current.chars().count() + 1 + word.chars().count() <= max_chars {
                    current = format!("{current} {word}");
                } else {
                    lines.push(std::mem::replace(&mut current, word));
                }
            }
            lines.push(current);
        }
        lines
    }
}

/// Lays out `rows` on a white RGB sheet: each row's title, then its tiles separated by a gap,
/// each with its caption below.
pub fn contact_sheet(title: &str, rows: &[Row]) -> Image {
    let captions = rows
        .iter()
        .flat_map(|r| r.tiles.iter().map(|t| t.caption_lines().len()))
        .max()
        .unwrap_or(0);
    let row_width = |r: &Row| -> usize {
        let tiles: usize = r.tiles.iter().map(|t| t.image.width + GAP).sum();
        tiles.max(text_width(&r.title, 1) + GAP)
    };
    let row_height = |r: &Row| -> usize {
        LINE + r.tiles.iter().map(|t| t.image.height).max().unwrap_or(0) + captions * LINE + GAP
    };
    let width = GAP
        + rows
            .iter()
            .map(row_width)
            .max()
            .unwrap_or(0)
            .max(text_width(title, 2) + GAP);
    let height = GAP + 2 * LINE + rows.iter().map(row_height).sum::<usize>();
    let mut sheet = Image::filled(width, height, 3, 255.0);
    draw_text(&mut sheet, GAP, GAP, title, 2, &[0.0]);
    let mut y = GAP + 2 * LINE;
    for row in rows {
        draw_text(&mut sheet, GAP, y, &row.title, 1, &[0.0, 0.0, 160.0]);
        let ty = y + LINE;
        let mut x = GAP;
        let tile_h = row.tiles.iter().map(|t| t.image.height).max().unwrap_or(0);
        for tile in &row.tiles {
            sheet.paste(&tile.image.quantized(), x, ty);
            for (i, line) in tile.caption_lines().iter().enumerate() {
                draw_text(&mut sheet, x, ty + tile_h + 2 + i * LINE, line, 1, &[0.0]);
            }
            x += tile.image.width + GAP;
        }
        y += row_height(row);
    }
    sheet
}
