// Package artifact is a content-addressed store for artifact files: a
// file's name is the SHA-256 of its content, so the same bytes are stored
// once and a digest names exactly one content forever.
//
// Layout: dir/sha256/<64 lowercase hex>, each file read-only and
// executable (0o555) because artifacts are usually binaries that instances
// run. A write goes to a temporary file in the same directory, is hashed
// while copied, fsynced, then renamed into place and the directory
// fsynced, so a file under its digest name is always complete, even after
// a crash. A crash mid-write can leave a ".tmp-*" file behind; it is never
// addressable by a digest.
package artifact
