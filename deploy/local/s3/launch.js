#!/usr/bin/env node
'use strict'
// IPTO's launcher for the local S3 emulator (@20minutes/s3rver, pinned at exactly 5.0.0 in package.json).
//
// It builds the s3rver Koa app itself (the 5.0.0 npm tarball ships no CLI entry point) and corrects the
// behaviours of that version that would make our tests pass where real S3 fails them:
//
//   * SigV4: s3rver drops the trailing slash of bucket-level paths ("/bucket/") when it rebuilds the
//     canonical request, so requests the AWS SDK signs for PutBucket / ListObjectsV2 / DeleteObjects are
//     refused with SignatureDoesNotMatch. We sign-check against the path exactly as it was sent.
//   * Requests carrying no signature at all are served by s3rver. A private S3 bucket answers them with
//     403 AccessDenied, and so do we, unless IPTO_S3_ALLOW_ANONYMOUS=1.
//   * AbortMultipartUpload (DELETE ?uploadId=) is missing (405): we implement it.
//   * UploadPart / CompleteMultipartUpload on an upload that does not exist, was completed or was aborted
//     (or belongs to another key) must fail with 404 NoSuchUpload instead of silently creating state.
//   * CompleteMultipartUpload accepts any part list: we check, as S3 does, that part numbers ascend
//     (InvalidPartOrder), that each listed part was uploaded with the ETag given (InvalidPart) and that
//     every part but the last has at least 5 MiB (EntityTooSmall).
//   * SigV4 query strings: s3rver encodes query values with encodeURIComponent, which leaves ! ' ( ) *
//     as they are, while S3 (and every AWS SDK) encodes them per RFC 3986. A presigned GET whose
//     response-content-disposition names "Ada's report (2026).pdf" was refused. We encode them as S3 does.
//   * CopyObject / UploadPartCopy: s3rver decodes x-amz-copy-source with decodeURI, which keeps %2F, so the
//     SDK's fully encoded "bucket%2Fkey" names no bucket (NoSuchBucket). We decode it as S3 does.
//   * Only the built-in key pair S3RVER/S3RVER exists: IPTO_S3_ACCESS_KEY + IPTO_S3_SECRET_KEY add one.
//
// Run it with `node --openssl-legacy-provider launch.js ...`: s3rver encrypts ListObjectsV2 continuation
// tokens with DES, which OpenSSL 3 only offers through its legacy provider.
//
// Usage: node --openssl-legacy-provider launch.js --directory <dir> [--address 127.0.0.1] [--port 4569]
//                                                 [--bucket <name>]... [--verbose]

const fs = require('node:fs')
const path = require('node:path')

const PKG = '@20minutes/s3rver'
const S3rver = require(PKG)
const S3Error = require(`${PKG}/lib/models/error`)
const { DUMMY_ACCOUNT } = require(`${PKG}/lib/models/account`)
const sigV4 = require(`${PKG}/lib/signature/v4`)
const objectController = require(`${PKG}/lib/controllers/object`)
const FilesystemStore = require(`${PKG}/lib/stores/filesystem`)

// Everything below patches internals of one exact release.
const installedVersion = require(`${PKG}/package.json`).version
if (installedVersion !== '5.0.0') {
  throw new Error(`launch.js was written for ${PKG} 5.0.0, found ${installedVersion}: re-check every patch first`)
}

const MIN_PART_SIZE = 5 * 1024 * 1024
const UPLOAD_ID = /^[0-9a-f]{32}$/ // what s3rver's InitiateMultipartUpload hands out (16 random bytes, hex)

function parseArguments(argv) {
  const options = { address: '127.0.0.1', port: 4569, buckets: [], verbose: false, directory: undefined }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`)
      return argv[++i]
    }
    switch (flag) {
      case '--directory': options.directory = path.resolve(value()); break
      case '--address': options.address = value(); break
      case '--port': options.port = Number.parseInt(value(), 10); break
      case '--bucket': options.buckets.push(value()); break
      case '--verbose': options.verbose = true; break
      default: throw new Error(`unknown argument: ${flag}`)
    }
  }
  if (!options.directory) throw new Error('--directory is required')
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('bad --port')
  return options
}

// ---- SigV4 canonical path --------------------------------------------------------------------------
// s3rver hands its v4 module a canonical request whose `headers` is the very object Node parsed for the
// request, so we can find the path that was really sent from it.
const sentPathByHeaders = new WeakMap()
const stringToSignAsShipped = sigV4.getStringToSign
sigV4.getStringToSign = function stringToSignForSentPath(canonicalRequest, request) {
  const sentPath = sentPathByHeaders.get(canonicalRequest.headers)
  if (sentPath !== undefined && sentPath.endsWith('/') && !canonicalRequest.uri.endsWith('/')) {
    canonicalRequest = { ...canonicalRequest, uri: `${canonicalRequest.uri}/` }
  }
  const querystring = canonicalRequest.querystring.replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
  return stringToSignAsShipped({ ...canonicalRequest, querystring }, request)
}

// ---- server-side copies ----------------------------------------------------------------------------
for (const name of ['putObjectCopy', 'uploadPartCopy']) {
  const copyAsShipped = objectController[name]
  objectController[name] = function copyWithDecodedSource(ctx) {
    const source = ctx.headers['x-amz-copy-source']
    if (source !== undefined) ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source))
    return copyAsShipped(ctx)
  }
}

// ---- multipart uploads ---------------------------------------------------------------------------------
function uploadDirectory(ctx, uploadId) {
  return path.join(ctx.store.getResourcePath(ctx.params.bucket, undefined, 'uploads'), uploadId)
}

function noSuchUpload(uploadId) {
  return new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: String(uploadId) }
  )
}

// Resolves the upload directory of the request's uploadId, or throws NoSuchUpload when the id is malformed,
// unknown, finished, or was started for another key.
async function existingUpload(ctx) {
  const uploadId = ctx.query.uploadId
  if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId)) throw noSuchUpload(uploadId)
  const directory = uploadDirectory(ctx, uploadId)
  let key
  try {
    key = await fs.promises.readFile(path.join(directory, 'key'), 'utf8')
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw noSuchUpload(uploadId)
    throw err
  }
  if (key !== ctx.params.key) throw noSuchUpload(uploadId)
  return directory
}

function guardUploadPart(handler) {
  return async function guardedUploadPart(ctx) {
    await existingUpload(ctx)
    const partNumber = Number(ctx.query.partNumber)
    if (!/^\d+$/.test(String(ctx.query.partNumber)) || partNumber < 1 || partNumber > 10000) {
      throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
        ArgumentName: 'partNumber',
        ArgumentValue: String(ctx.query.partNumber),
      })
    }
    return handler(ctx)
  }
}
objectController.uploadPart = guardUploadPart(objectController.uploadPart)
objectController.uploadPartCopy = guardUploadPart(objectController.uploadPartCopy)

const completeAsShipped = objectController.completeMultipartUpload
objectController.completeMultipartUpload = async function guardedComplete(ctx) {
  await existingUpload(ctx)
  return completeAsShipped(ctx)
}

// The controller has parsed the part list from the request body by the time it reaches the store.
// Checked in the order S3 reports problems: the list as a whole, then each part, then part sizes.
const assembleAsShipped = FilesystemStore.prototype.putObjectMultipart
FilesystemStore.prototype.putObjectMultipart = async function checkedAssemble(bucket, uploadId, parts) {
  const directory = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId)
  for (let i = 0; i < parts.length; i++) {
    if (!Number.isInteger(parts[i].number) || (i > 0 && parts[i].number <= parts[i - 1].number)) {
      throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.')
    }
  }
  const sizes = []
  for (const part of parts) {
    const partFile = path.join(directory, String(part.number))
    let storedMd5
    try {
      storedMd5 = (await fs.promises.readFile(`${partFile}.md5`, 'utf8')).trim().toLowerCase()
      sizes.push((await fs.promises.stat(partFile)).size)
    } catch (err) {
      if (err.code !== 'ENOENT') throw err
    }
    const givenEtag = String(part.etag).replace(/"/g, '').trim().toLowerCase()
    if (storedMd5 === undefined || storedMd5 !== givenEtag) {
      throw new S3Error(
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { UploadId: uploadId, PartNumber: String(part.number), ETag: String(part.etag) }
      )
    }
  }
  for (let i = 0; i < parts.length - 1; i++) {
    if (sizes[i] < MIN_PART_SIZE) {
      throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
        PartNumber: String(parts[i].number),
        ProposedSize: String(sizes[i]),
        MinSizeAllowed: String(MIN_PART_SIZE),
      })
    }
  }
  return assembleAsShipped.call(this, bucket, uploadId, parts)
}

// ---- the front middleware -----------------------------------------------------------------------------
function carriesSignature(ctx) {
  return 'authorization' in ctx.headers || 'X-Amz-Algorithm' in ctx.query || 'Signature' in ctx.query
}

function frontMiddleware({ allowAnonymous }) {
  return async function iptoFront(ctx, next) {
    sentPathByHeaders.set(ctx.headers, ctx.path)
    if (!allowAnonymous && ctx.method !== 'OPTIONS' && !carriesSignature(ctx)) {
      throw new S3Error('AccessDenied', 'Access Denied')
    }
    const abortRequested = ctx.method === 'DELETE' && 'uploadId' in ctx.query
    try {
      await next()
    } catch (err) {
      // s3rver routes DELETE ?uploadId= through authentication and the bucket check and only then refuses it
      // with MethodNotAllowed: an authenticated caller reaching that point is served AbortMultipartUpload here.
      const routedAsAbort =
        abortRequested && err instanceof S3Error && err.code === 'MethodNotAllowed' &&
        ctx.state.account && ctx.params && ctx.params.queryMethod === 'uploadId' && ctx.params.key
      if (!routedAsAbort) throw err
      const directory = await existingUpload(ctx)
      await fs.promises.rm(directory, { recursive: true, force: true })
      ctx.status = 204
      ctx.body = null
    }
  }
}

async function main() {
  if (!process.execArgv.includes('--openssl-legacy-provider')) {
    console.warn('launch.js: started without --openssl-legacy-provider; ListObjectsV2 paging will fail')
  }
  const options = parseArguments(process.argv.slice(2))
  const accessKey = process.env.IPTO_S3_ACCESS_KEY
  const secretKey = process.env.IPTO_S3_SECRET_KEY
  if (accessKey && secretKey) DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey)
  else if (accessKey || secretKey) throw new Error('set both IPTO_S3_ACCESS_KEY and IPTO_S3_SECRET_KEY, or neither')

  fs.mkdirSync(options.directory, { recursive: true })
  const app = new S3rver({
    directory: options.directory,
    address: options.address,
    port: options.port,
    silent: !options.verbose,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  })
  // Koa composes app.middleware when the server starts, so this runs before everything s3rver registered.
  app.middleware.unshift(frontMiddleware({ allowAnonymous: process.env.IPTO_S3_ALLOW_ANONYMOUS === '1' }))

  const { address, port } = await app.run()
  console.log(`s3 emulator listening on http://${address}:${port} (buckets: ${options.buckets.join(', ') || 'none'})`)

  let stopping = false
  const stop = (signal) => {
    if (stopping) return
    stopping = true
    console.log(`s3 emulator: ${signal}, stopping`)
    setTimeout(() => process.exit(0), 3000).unref()
    app.close().then(() => process.exit(0), () => process.exit(0))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((err) => {
  console.error(`launch.js: ${err && err.stack ? err.stack : err}`)
  process.exit(1)
})
