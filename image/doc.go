// Package image keeps OCI container images on this machine: a content
// store in one folder, filled from a registry (Pull) or from a file
// (Load: an OCI layout folder or a docker-save tarball), that unpacks each
// image once into a root filesystem its containers share read-only
// (Unpack). It knows nothing of services or specs: the server records
// which digest a version names, and workload/container runs it.
//
// # Layout
//
//	dir/oci/           an OCI image layout: blobs/sha256/<hex> (manifests,
//	                   configs, layers), index.json listing every image
//	dir/images/<hex>.json   one record per image (Image), by manifest digest;
//	                   written last, so an image is known only once all of
//	                   its blobs are stored
//	dir/rootfs/<hex>/  the unpacked root filesystem of an image
//	dir/rootfs/.tmp-*  an unpack in progress (removed by the next Open)
//
// Images are stored by manifest digest, so a tag that moves never changes
// what a recorded version runs, and the same image pulled for two
// environments is stored once.
//
// # Platform
//
// Pull and Load pick the linux/GOARCH image from an index (a multi-platform
// image); an image built for another architecture is an error naming both
// (ErrArchitecture), not an exec format error at start.
//
// # Unpacking safely
//
// An image is untrusted input. Its layers are flattened (whiteouts and
// opaque directories applied by mutate.Extract) and written through an
// os.Root opened on the new root filesystem, which resolves every path
// inside it: a layer that plants a symlink "etc -> /etc" and then writes
// "etc/passwd" is rejected instead of writing the host's file, and so is
// any name with "..". An entry whose path already exists is skipped
// (Extract emits the upper layer's entry first, and it wins), so a symlink
// from a lower layer never replaces a directory already written. Device
// nodes and fifos are skipped, setuid and setgid bits cleared; owners are
// kept, since an image's files belong to its own users. The empty mount
// points a container needs (proc, dev, sys, tmp, work, etc/resolv.conf,
// etc/hosts) are added where the image lacks them, so that a runtime never
// creates them later in a root filesystem that containers share. The result is
// written under a temporary name and renamed into place, so a crash never
// leaves a half-unpacked root filesystem that looks complete, and callers
// racing to unpack the same image all get the one that won.
package image
