# Sphinx configuration of the course's static site. `make book` (tools/book.py) copies this file
# next to the notebooks it has run and builds build/book/html; see tools/book.py for why Sphinx.
from links import repository  # tools/links.py: tools/book.py puts tools/ on PYTHONPATH

owner, name = repository()
project = "gan-edu"
author = "the gan-edu authors"
extensions = ["myst_nb", "sphinx-mathjax-offline"]  # MathJax copied into the site: no CDN
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "off"  # tools/book.py has run every notebook already
nb_merge_streams = True
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "gan-edu"
html_static_path = []
html_css_files = []
html_theme_options = {
    "repository_url": f"https://github.com/{owner}/{name}",
    "repository_branch": "HEAD",
    "path_to_docs": "",  # notebooks/<name>.ipynb here is notebooks/<name>.ipynb in the repository
    "use_repository_button": True,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
}
