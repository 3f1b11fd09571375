FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir -e . -c requirements.lock 2>/dev/null || true
COPY . .
RUN pip install --no-cache-dir -e . -c requirements.lock \
 && SECRET_KEY=build DEBUG=false python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["gunicorn", "axreg.wsgi:application", "--bind", "0.0.0.0:8000"]
