"""Product pictures: the model (models.py), the sizes made from each picture (sizes.py),
what an upload must be and where it is stored (uploads.py), and the admin's inline
(admin.py). ``manage.py generateimages`` makes any size missing from the storage."""
