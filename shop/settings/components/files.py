"""Static files and uploaded media (product pictures), on local disk or in a bucket."""

from django.core.exceptions import ImproperlyConfigured

from .environment import BASE_DIR, env

STATIC_URL = "static/"
# Where collectstatic gathers the files WhiteNoise serves (the image bakes them in at build).
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))


def media_storage(kind: str) -> dict:
    """Where uploaded files (product pictures and their sizes) are kept: "local", files
    under MEDIA_ROOT given at MEDIA_URL; or "s3", an S3-compatible bucket (AWS S3, Aliyun
    OSS, Tencent COS, MinIO) through django-storages, given at the bucket's or its CDN's
    address."""
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f'MEDIA_STORAGE is "local" or "s3", not "{kind}".')
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            # Empty: boto3 finds credentials itself (instance role, ~/.aws).
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "location": env("AWS_LOCATION", default="media"),
            "default_acl": env("AWS_DEFAULT_ACL", default="") or None,
            # Product pictures are public: signed addresses would differ in every answer
            # and defeat the catalog's caches.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            # Two uploads of "photo.jpg" must not replace each other, as on local disk.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }


# Files no proxy serves: closed settlements' statements and uploaded CSV imports, handed
# out only by the shop after checking who asks.
SHOP_PRIVATE_ROOT = env.path("SHOP_PRIVATE_ROOT", default=str(BASE_DIR / "private"))


def private_storage(kind: str) -> dict:
    """Where private files are kept: "local", under SHOP_PRIVATE_ROOT; or "s3", the
    media bucket's AWS_PRIVATE_LOCATION folder, private (no public address; the shop
    streams them)."""
    if kind == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(SHOP_PRIVATE_ROOT), "base_url": None},
        }
    storage = media_storage(kind)
    storage["OPTIONS"].update(
        location=env("AWS_PRIVATE_LOCATION", default="private"),
        default_acl="private",
        querystring_auth=True,
        object_parameters={"CacheControl": "private, no-store"},
    )
    return storage


MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
# Several hosts need one place for them: the bucket, as for the media.
PRIVATE_STORAGE = env("PRIVATE_STORAGE", default=MEDIA_STORAGE)
STORAGES = {
    "default": media_storage(MEDIA_STORAGE),
    "private": private_storage(PRIVATE_STORAGE),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Answer MEDIA_URL from MEDIA_ROOT in the web process (Django's static serve view), for the
# embedded default and a stack without a front proxy. Off where a proxy or the bucket
# serves the files. WhiteNoise serves STATIC_URL either way.
SHOP_SERVE_MEDIA = env.bool("SHOP_SERVE_MEDIA", default=False)
# Product pictures' sizes (catalog/images/sizes.py) are kept under MEDIA_URL/sizes/.
IMAGEKIT_CACHEFILE_DIR = "sizes"
