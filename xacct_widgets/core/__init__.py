"""Plain Python over boto3 and pandas; never imports ipywidgets."""
