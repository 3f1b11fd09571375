FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The dependencies first, in their own layer, so that a code change does not reinstall them:
# the runtime list from pyproject.toml at the versions CI tested (requirements.lock).
# gettext: compilemessages turns locale/*.po into the .mo files the Korean and Turkish pages read.
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" >/tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt -c requirements.lock
COPY . .
# CI runs these two steps and the CMD below the same way (.ci/production).
RUN pip install --no-cache-dir -e . -c requirements.lock \
 && SECRET_KEY=build DEBUG=false python manage.py collectstatic --no-input \
 && SECRET_KEY=build DEBUG=false python manage.py compilemessages --ignore=.venv
EXPOSE 8000
CMD ["gunicorn", "axreg.wsgi:application", "--bind", "0.0.0.0:8000"]
