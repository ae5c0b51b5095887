package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/api"
	artifactstore "github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/spec"
)

// specFile is an app spec read, parsed and checked locally, with the
// digest of every artifact computed: everything needed to send it.
type specFile struct {
	path      string
	app       *spec.App
	artifacts []artifact
	// request carries the spec text with every artifact digest filled in.
	request api.ApplyRequest
}

// artifact is one file to upload before the spec is sent.
type artifact struct {
	service string
	// path is as written in the spec, file where it is on disk.
	path, file string
	digest     string
}

// loadSpec reads and parses the spec at path for environment envName
// (its overrides; "" checks every environment), checks its artifacts
// relative to the file's directory, and digests the artifacts that have
// no digest yet. An invalid spec is a *spec.Problems error; nothing is
// sent anywhere. With needEnv, a spec that has environments must be
// given one.
func loadSpec(path, envName string, needEnv bool) (*specFile, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	// The server checks its own instance limits, which its operator may
	// have raised (validate checks the defaults when no server answers).
	app, err := spec.ParseWith(path, text, spec.Options{CheckExpr: analysis.CheckExpr, CheckFlagExpr: flags.CheckExpr,
		Environment: envName, MaxInstancesPerService: -1, Applying: true})
	if err != nil {
		return nil, err
	}
	if needEnv && envName == "" && len(app.Environments) > 0 {
		return nil, fmt.Errorf("%s has environments (%s): choose one with --env (or SLIPWAY_ENV)", path, strings.Join(app.EnvironmentNames(), ", "))
	}
	baseDir := filepath.Dir(path)
	if err := app.CheckArtifacts(baseDir); err != nil {
		return nil, err
	}
	if err := app.CheckCertificates(baseDir, time.Now()); err != nil {
		return nil, err
	}
	arts, digests, err := digestArtifacts(app, baseDir)
	if err != nil {
		return nil, err
	}
	body, err := withDigests(text, digests)
	if err != nil {
		return nil, err
	}
	return &specFile{
		path:      path,
		app:       app,
		artifacts: arts,
		request:   api.ApplyRequest{File: path, Spec: string(body), Dir: absDir(baseDir)},
	}, nil
}

// absDir is dir made absolute ("" when it cannot be): where promotion
// gates' commands run on the server's machine.
func absDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return abs
}

// digestArtifacts lists every service's artifact with its digest: the
// pinned one, or the sha256 of the file. It also returns the digests it
// computed, by service, which the spec text does not carry yet.
func digestArtifacts(app *spec.App, baseDir string) ([]artifact, map[string]string, error) {
	var arts []artifact
	computed := map[string]string{}
	for _, name := range sortedServices(app) {
		a := app.Services[name].Artifact
		if a == nil {
			continue
		}
		file := a.Path
		if !filepath.IsAbs(file) {
			file = filepath.Join(baseDir, file)
		}
		digest := a.Digest
		if digest == "" {
			d, err := spec.Digest(file)
			if err != nil {
				return nil, nil, fmt.Errorf("digest artifact of %s: %w", name, err)
			}
			digest, computed[name] = d, d
		}
		arts = append(arts, artifact{service: name, path: a.Path, file: file, digest: digest})
	}
	return arts, computed, nil
}

// upload sends every artifact the server does not have yet, saying so on
// progress.
// sendable loads the spec file, checks it locally, and uploads its
// artifacts: what plan, apply and validate do before asking the server.
// Plan and apply need an environment when the spec has several.
func (e *env) sendable(ctx context.Context, file string, needEnv bool) (*specFile, *client.Client, error) {
	s, err := loadSpec(file, e.envName, needEnv)
	if err != nil {
		return nil, nil, err
	}
	if needEnv { // plan and apply send the secrets; validate reads none
		if s.request.Secrets, err = resolveSecrets(ctx, s.app, file, filepath.Dir(file)); err != nil {
			return nil, nil, err
		}
	}
	c := e.client()
	return s, c, s.upload(ctx, c, e.stderr)
}

func (s *specFile) upload(ctx context.Context, c *client.Client, progress io.Writer) error {
	done := map[string]bool{}
	for _, a := range s.artifacts {
		if done[a.digest] {
			continue
		}
		done[a.digest] = true
		has, err := c.HasArtifact(ctx, a.digest)
		if err != nil {
			return fmt.Errorf("check artifact of %s: %w", a.service, err)
		}
		if has {
			continue
		}
		fmt.Fprintf(progress, "uploading artifact of %s: %s (%s)\n", a.service, a.path, shortDigest(a.digest))
		if err := putFile(ctx, c, a); err != nil {
			return fmt.Errorf("upload artifact of %s: %w", a.service, err)
		}
	}
	return nil
}

func putFile(ctx context.Context, c *client.Client, a artifact) error {
	f, err := os.Open(a.file)
	if err != nil {
		return err
	}
	defer f.Close()
	return c.PutArtifact(ctx, a.digest, f)
}

func sortedServices(app *spec.App) []string {
	names := make([]string, 0, len(app.Services))
	for name := range app.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// shortDigest shortens a digest for messages.
func shortDigest(d string) string { return artifactstore.Short(d) }

// checkDefaultLimits checks the spec against a server's default instance
// limit: what validate can say when no server answers.
func (s *specFile) checkDefaultLimits(envName string) error {
	_, err := spec.ParseWith(s.path, []byte(s.request.Spec), spec.Options{Environment: envName, Applying: true})
	return err
}
