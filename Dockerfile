# syntax=docker/dockerfile:1
# The skillaudit engine: `docker run --rm skillaudit:latest COMMAND …` is `skillaudit COMMAND …`.
# docker-compose.yml builds it for the `consumer` and `web` services (tag skillaudit:latest).

# -- build: install the project and its dependencies into a virtualenv -----------------------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# pyproject names README.md as the readme: setuptools fails without it.
COPY pyproject.toml README.md ./
# One COPY per package: COPY with several directory sources would merge their *contents*
# into one folder. Keep this list equal to [tool.setuptools.packages.find] include
# (tests/streams/test_compose.py checks it).
COPY engine/ engine/
COPY projections/ projections/
COPY detectors/ detectors/
COPY findings/ findings/
COPY casework/ casework/
COPY evidence/ evidence/
COPY credit/ credit/
COPY reports/ reports/
COPY services/ services/
COPY streams/ streams/
COPY skillaudit/ skillaudit/
COPY synth/ synth/
COPY imports/ imports/
COPY web/ web/
# A regular (non-editable) install: the runtime stage needs only /opt/venv, not /src.
# Every dependency ships manylinux wheels, so no compiler is needed.
RUN pip install --no-cache-dir .

# -- runtime: the virtualenv and a non-root user, nothing else -------------------------------
FROM python:3.11-slim

RUN groupadd --system --gid 10001 skillaudit \
 && useradd --system --uid 10001 --gid skillaudit --create-home --home-dir /home/skillaudit \
        --shell /usr/sbin/nologin skillaudit \
 && install -d -o skillaudit -g skillaudit /home/skillaudit/files
# (the web service's volume mounts on files/: a new volume takes this folder's owner)

# The same base image in both stages, so the venv's interpreter path stays valid.
COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib

USER skillaudit
# Relative outputs (reports, CSV, the default ./skillaudit.db) land in the user's home.
WORKDIR /home/skillaudit

ENTRYPOINT ["skillaudit"]
CMD ["--help"]
