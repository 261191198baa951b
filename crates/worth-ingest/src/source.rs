//! Reading a file once: a thread reads it in blocks, hashes every byte (the file's identity) and
//! advances the progress bar, while the importer parses the blocks on the calling thread.
//!
//! Memory stays bounded: at most [`BLOCKS_IN_FLIGHT`] blocks of [`BLOCK`] bytes wait between the
//! two threads, whatever the file's size.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::{IngestError, Result};

/// The size of one block read from a file.
const BLOCK: usize = 1 << 20;
/// How many blocks may wait for the parser.
const BLOCKS_IN_FLIGHT: usize = 4;

/// A progress bar over the bytes of a file on stderr, hidden unless stderr is a terminal and
/// progress was asked for.
pub(crate) fn progress_bar(path: &Path, show: bool) -> ProgressBar {
    use std::io::IsTerminal;
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if !show || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    bar
}

/// A file being read by a thread of its own; [`Read`] gives its bytes in order.
#[derive(Debug)]
pub(crate) struct Source {
    path: PathBuf,
    blocks: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    pos: usize,
    reader: Option<JoinHandle<String>>,
}

impl Source {
    /// Starts reading `path`.
    pub(crate) fn open(path: &Path, bar: ProgressBar) -> Result<Self> {
        let mut file =
            File::open(path).map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
        let (tx, blocks) = sync_channel::<io::Result<Vec<u8>>>(BLOCKS_IN_FLIGHT);
        let reader = std::thread::spawn(move || {
            let mut hasher = blake3::Hasher::new();
            loop {
                let mut block = vec![0u8; BLOCK];
                match read_full(&mut file, &mut block) {
                    Ok(0) => break,
                    Ok(n) => {
                        block.truncate(n);
                        hasher.update(&block);
                        bar.inc(n as u64);
                        if tx.send(Ok(block)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
            bar.finish_and_clear();
            hasher.finalize().to_hex().to_string()
        });
        Ok(Self {
            path: path.to_owned(),
            blocks,
            current: Vec::new(),
            pos: 0,
            reader: Some(reader),
        })
    }

    /// Waits for the reading thread and returns the BLAKE3 hash of the whole file, in hex.
    ///
    /// Call it once the parser has read to the end; bytes not yet read are hashed too.
    pub(crate) fn finish(mut self) -> Result<String> {
        // Drain what is left so that the hash covers the whole file.
        while let Ok(block) = self.blocks.recv() {
            block.map_err(|source| IngestError::Io { path: self.path.clone(), source })?;
        }
        self.reader
            .take()
            .ok_or_else(|| IngestError::Internal("the file was finished twice".into()))?
            .join()
            .map_err(|_| IngestError::Internal(format!("reading {} failed", self.path.display())))
    }
}

/// Fills `buf` as far as the file allows; returns how much was read.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.current.len() {
            match self.blocks.recv() {
                Ok(block) => {
                    self.current = block?;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.pos);
        buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The BLAKE3 hash of a whole file, for formats read whole (XLSX, CDM model files).
pub(crate) fn hash_file(path: &Path) -> Result<String> {
    let mut file =
        File::open(path).map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    let mut hasher = blake3::Hasher::new();
    io::copy(&mut file, &mut hasher)
        .map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    Ok(hasher.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_back_whole_and_is_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let data: Vec<u8> = (0..3 * BLOCK + 17).map(|i| u8::try_from(i % 251).unwrap()).collect();
        std::fs::write(&path, &data).unwrap();
        let mut source = Source::open(&path, ProgressBar::hidden()).unwrap();
        let mut back = Vec::new();
        source.read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
        assert_eq!(source.finish().unwrap(), blake3::hash(&data).to_hex().to_string());
        assert_eq!(hash_file(&path).unwrap(), blake3::hash(&data).to_hex().to_string());
    }

    #[test]
    fn the_hash_covers_bytes_the_parser_did_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let data = vec![7u8; 2 * BLOCK];
        std::fs::write(&path, &data).unwrap();
        let mut source = Source::open(&path, ProgressBar::hidden()).unwrap();
        let mut head = [0u8; 10];
        source.read_exact(&mut head).unwrap();
        assert_eq!(source.finish().unwrap(), blake3::hash(&data).to_hex().to_string());
    }
}
