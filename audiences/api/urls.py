# The audiences endpoint is routed by measurements/api/audience_urls.py: its `liability` filter
# reads journeys and measurements, which audiences does not import. This module stays empty
# only while axreg/api_urls.py still includes it.
urlpatterns: list = []
